/** The issuer's ports: where it gets credentials and keys (the keys service, over NATS) and the time. */
import type { CredentialRecord, SigningMaterialResult } from '@roomkey/contracts';

export interface KeyDirectory {
  resolveCredential(apiKey: string): Promise<CredentialRecord | null>;
  signingMaterial(tenant: string): Promise<SigningMaterialResult>;
}

export interface Clock {
  now(): number;
}

export const KEY_DIRECTORY = Symbol('KeyDirectory');
export const CLOCK = Symbol('Clock');
export const ISSUER_CONFIG = Symbol('IssuerConfig');
export const SECRET_BOX = Symbol('SecretBox');
export const SECRET_HASHER = Symbol('SecretHasher');
