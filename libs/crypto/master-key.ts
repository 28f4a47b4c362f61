/**
 * Encryption at rest and keyed hashing, both derived from the one master key
 * (`ROOMKEY_MASTER_KEY`). Sub-keys are separated by HKDF so a key used for one purpose is never
 * used for another.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const FORMAT_VERSION = 'v1';

function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `roomkey:${purpose}`, 32));
}

/** AES-256-GCM with associated data (the record's id), so a ciphertext cannot be moved between records. */
export class SecretBox {
  private readonly key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('The master key must be 32 bytes');
    this.key = deriveKey(masterKey, 'secret-box');
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${FORMAT_VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  open(sealed: string, associatedData: string): string {
    const [version, ivText, bodyText] = sealed.split('.');
    if (version !== FORMAT_VERSION || !ivText || !bodyText) throw new Error('Unknown ciphertext format');
    const body = Buffer.from(bodyText, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(ivText, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
  }
}

/**
 * Keyed SHA-256 (HMAC) for 256-bit random secrets. They have too much entropy to brute-force, so a
 * slow password hash (bcrypt, argon2) would only cost time on every request without adding safety.
 */
export class SecretHasher {
  private readonly key: Buffer;

  constructor(masterKey: Buffer, purpose = 'secret-hash') {
    this.key = deriveKey(masterKey, purpose);
  }

  hash(secret: string): string {
    return createHmac('sha256', this.key).update(secret, 'utf8').digest('hex');
  }

  /** Constant-time comparison of a presented secret with a stored hash. */
  matches(secret: string, storedHash: string): boolean {
    const presented = Buffer.from(this.hash(secret), 'hex');
    const stored = Buffer.from(storedHash, 'hex');
    return presented.length === stored.length && timingSafeEqual(presented, stored);
  }
}

/** Constant-time equality of two strings of any length (hashes both first). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHmac('sha256', 'roomkey-compare').update(a).digest();
  const hb = createHmac('sha256', 'roomkey-compare').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** `bytes` of randomness as base64url (32 bytes → 43 characters). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random base62 text, for public identifiers such as API keys (no ambiguity, URL-safe). */
export function randomBase62(length: number): string {
  const out: string[] = [];
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 62 × 4: reject the tail of the byte range so every character is equally likely.
      if (byte < 248 && out.length < length) out.push(BASE62[byte % 62]);
    }
  }
  return out.join('');
}
