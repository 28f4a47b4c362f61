import { Inject, Injectable } from '@nestjs/common';
import type { SigningAlgorithm } from '@roomkey/contracts';
import type { SecretBox } from '@roomkey/crypto';
import { CLOCK, SECRET_BOX, type Clock, type SigningKeyRecord } from '../ports';
import { generateSigningKey } from './key-generator';
import { activate } from './signing-key-lifecycle';

/** Makes new signing-key records with the private half sealed under the master key. */
@Injectable()
export class SigningKeyFactory {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SECRET_BOX) private readonly secretBox: SecretBox,
  ) {}

  /** A new key in state `next`. */
  async newKey(tenant: string, alg: SigningAlgorithm): Promise<SigningKeyRecord> {
    const generated = await generateSigningKey(alg);
    return {
      kid: generated.kid,
      tenant,
      alg,
      state: 'next',
      publicJwk: generated.publicJwk,
      privateJwkCiphertext: this.secretBox.seal(JSON.stringify(generated.privateJwk), generated.kid),
      createdAt: this.clock.now(),
      activatedAt: null,
      retiringAt: null,
      retireAfter: null,
      retiredAt: null,
    };
  }

  /** A new tenant's keys: one active, and one already published as next. */
  async initialKeys(tenant: string, alg: SigningAlgorithm): Promise<SigningKeyRecord[]> {
    const first = await this.newKey(tenant, alg);
    return [activate(first, this.clock.now()), await this.newKey(tenant, alg)];
  }
}
