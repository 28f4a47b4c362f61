/** Builds the keys service's domain objects by hand over in-memory fakes (no Nest container). */
import { SecretBox, SecretHasher } from '@roomkey/crypto';
import { randomBytes } from 'node:crypto';
import { ApiKeyService } from '../api-keys/api-key.service';
import { MediaPlatformService } from '../media-platforms/media-platform.service';
import { SigningKeyFactory } from '../signing-keys/signing-key.factory';
import { SigningKeyService } from '../signing-keys/signing-key.service';
import { TenantService } from '../tenants/tenant.service';
import { FakeClock, RecordingEventSink } from '@roomkey/testing';
import { InMemoryKeysStore } from './in-memory-keys.store';

export const KIT_START = Date.UTC(2026, 0, 1);

export function createKeysTestKit() {
  const store = new InMemoryKeysStore();
  const clock = new FakeClock(KIT_START);
  const events = new RecordingEventSink();
  const masterKey = randomBytes(32);
  const secretBox = new SecretBox(masterKey);
  const hasher = new SecretHasher(masterKey);
  const factory = new SigningKeyFactory(clock, secretBox);
  const tenants = new TenantService(store, clock, events, factory);
  const mediaPlatforms = new MediaPlatformService(store, clock, events, secretBox, tenants);
  const signingKeys = new SigningKeyService(store, clock, events, factory, tenants, mediaPlatforms);
  const apiKeys = new ApiKeyService(store, clock, events, secretBox, hasher, tenants);
  return { store, clock, events, masterKey, secretBox, hasher, factory, tenants, signingKeys, apiKeys, mediaPlatforms };
}

export type KeysTestKit = ReturnType<typeof createKeysTestKit>;
