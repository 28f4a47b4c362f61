import { Logger } from '@nestjs/common';
import { type KeysRoutes, type RequestOf } from '@roomkey/contracts';
import { InvalidRequestError, NotFoundError } from '@roomkey/errors';
import { createKeysTestKit, KIT_START, type KeysTestKit } from '../testing/keys-test-kit';
import { MediaPlatformHandlers } from './media-platform.handlers';
import { NO_REQUEST } from '@roomkey/nats';

Logger.overrideLogger(false);

const LIVEKIT = { apiKey: 'APIabc123', apiSecret: 'a-livekit-secret-of-some-length' };

describe('MediaPlatformService', () => {
  let kit: KeysTestKit;
  let handlers: MediaPlatformHandlers;
  const put = (tenant: string, platform: string, body: unknown) => handlers.put({ tenant, platform, body } as RequestOf<typeof KeysRoutes.putMediaPlatform>, NO_REQUEST);
  const remove = (tenant: string, platform: string) => handlers.remove({ tenant, platform }, NO_REQUEST);

  beforeEach(async () => {
    kit = createKeysTestKit();
    handlers = new MediaPlatformHandlers(kit.mediaPlatforms, kit.tenants);
    await kit.tenants.create({ shortcode: 'acme', name: 'Acme' }, NO_REQUEST);
    await kit.tenants.create({ shortcode: 'globex', name: 'Globex' }, NO_REQUEST);
    kit.events.clear();
  });

  it('seals the secret bound to tenant and platform, announces the change without it, and hands it to issuers still sealed', async () => {
    expect(await put('acme', 'livekit', LIVEKIT)).toEqual({});
    const stored = (await kit.store.mediaPlatforms.find('acme', 'livekit'))!;
    expect(stored).toMatchObject({ tenant: 'acme', platform: 'livekit', apiKey: LIVEKIT.apiKey, createdAt: KIT_START });
    expect(stored.secretCiphertext).not.toContain(LIVEKIT.apiSecret);
    expect(kit.secretBox.open(stored.secretCiphertext, 'acme:livekit')).toBe(LIVEKIT.apiSecret);
    // Bound to its record: the same ciphertext does not open as another tenant's or platform's.
    expect(() => kit.secretBox.open(stored.secretCiphertext, 'globex:livekit')).toThrow();
    expect(() => kit.secretBox.open(stored.secretCiphertext, 'acme:videosdk')).toThrow();

    expect(kit.events.events).toEqual([{ tenant: 'acme', type: 'media-platform.updated', fields: { platform: 'livekit' } }]);
    const material = await kit.signingKeys.signingMaterial('acme');
    expect(material.mediaPlatforms).toEqual([{ platform: 'livekit', apiKey: LIVEKIT.apiKey, encryptedSecret: stored.secretCiphertext }]);
    expect((await kit.signingKeys.signingMaterial('globex')).mediaPlatforms).toEqual([]);
  });

  it('replaces credentials, and removes them once (then 404)', async () => {
    await put('acme', 'videosdk', LIVEKIT);
    await put('acme', 'videosdk', { apiKey: 'second', apiSecret: 'another-secret-value' });
    const stored = (await kit.store.mediaPlatforms.find('acme', 'videosdk'))!;
    expect(stored.apiKey).toBe('second');
    expect(kit.secretBox.open(stored.secretCiphertext, 'acme:videosdk')).toBe('another-secret-value');
    expect(await remove('acme', 'videosdk')).toEqual({});
    expect(kit.events.ofType('media-platform.removed')).toEqual([{ tenant: 'acme', type: 'media-platform.removed', fields: { platform: 'videosdk' } }]);
    await expect(remove('acme', 'videosdk')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses an unknown tenant (404), an unknown platform and a malformed body (400 naming the field)', async () => {
    await expect(put('nobody', 'livekit', LIVEKIT)).rejects.toBeInstanceOf(NotFoundError);
    await expect(put('acme', 'zoom', LIVEKIT)).rejects.toMatchObject({ constructor: InvalidRequestError, message: expect.stringContaining('platform') });
    await expect(put('acme', 'livekit', { apiKey: 'k' })).rejects.toMatchObject({ message: expect.stringContaining('apiSecret') });
    await expect(put('acme', 'livekit', { ...LIVEKIT, apiSecret: 'short' })).rejects.toMatchObject({ message: expect.stringContaining('apiSecret') });
    await expect(put('acme', 'livekit', { ...LIVEKIT, extra: 1 })).rejects.toBeInstanceOf(InvalidRequestError);
    expect(await kit.store.mediaPlatforms.listByTenant('acme')).toEqual([]);
    expect(kit.events.events).toEqual([]);
  });
});
