import { InvalidRequestError } from '@roomkey/errors';
import type { AccessTokenClaims } from './claims';
import { profileClaims, profileOfPayload, type MediaPlatform, type MediaPlatformKey } from './profiles';
import { DEFAULT_ROLE_MATRIX, permissionsFor, ROLES, type Role } from './roles';

const KEY: MediaPlatformKey = { apiKey: 'platform-key' };

function claims(role: Role, overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims {
  const env = overrides.env ?? 'production';
  return {
    iss: 'https://rk.test/realms/acme',
    aud: 'roomkey',
    sub: 'alice',
    kind: 'user',
    client_id: 'rk_prod_x',
    tid: 'acme',
    iat: 1000,
    exp: 4600,
    jti: 'jti-1',
    role,
    env,
    perms: permissionsFor(role, env, DEFAULT_ROLE_MATRIX),
    rooms: ['stage'],
    ...overrides,
  };
}

const map = (platform: MediaPlatform, role: Role, overrides: Partial<AccessTokenClaims> = {}) => profileClaims(platform, claims(role, overrides), KEY) as Record<string, any>;

describe('claim profiles: the mapping table', () => {
  it('LiveKit: each default role’s video grant', () => {
    const grants = Object.fromEntries(ROLES.map((role) => [role, map('livekit', role).video]));
    expect(grants.HOST).toEqual({ room: 'stage', roomJoin: true, canSubscribe: true, canPublish: true, canPublishData: true, canUpdateOwnMetadata: true, roomAdmin: true, roomRecord: true, ingressAdmin: true });
    expect(grants.COHOST).toMatchObject({ roomAdmin: true, roomRecord: false, ingressAdmin: false, canPublish: true });
    expect(grants.CONTRIBUTOR).toMatchObject({ roomAdmin: false, canPublish: true });
    expect(grants.GUEST).toMatchObject({ roomAdmin: false, canPublish: true, canSubscribe: true });
    expect(grants.VIEWER).toMatchObject({ roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: false, roomAdmin: false });
  });

  it('GetStream and VideoSDK: each default role', () => {
    expect(ROLES.map((role) => map('getstream', role).role)).toEqual(['admin', 'host', 'user', 'user', 'viewer']);
    expect(ROLES.map((role) => map('videosdk', role).permissions)).toEqual([
      ['allow_join', 'allow_mod'],
      ['allow_join', 'allow_mod'],
      ['allow_join'],
      ['allow_join'],
      ['ask_join'],
    ]);
  });

  it('a development key’s HOST has no admin or broadcast rights anywhere', () => {
    expect(map('livekit', 'HOST', { env: 'development' }).video).toMatchObject({ roomAdmin: false, roomRecord: false, ingressAdmin: false, canPublish: true });
    expect(map('getstream', 'HOST', { env: 'development' }).role).toBe('host');
  });

  it('keeps the roomkey token’s jti, iat and exp, and the platform’s identity rules', () => {
    expect(map('livekit', 'GUEST', { name: 'Al', metadata: { a: 1 } })).toMatchObject({ iss: KEY.apiKey, sub: 'alice', name: 'Al', metadata: '{"a":1}', nbf: 1000, iat: 1000, exp: 4600, jti: 'jti-1' });
    const anonymous = { kind: 'anonymous' as const, sub: '!anon', anon_id: 'a1' };
    expect(map('livekit', 'VIEWER', anonymous).sub).toBe('anon-a1');
    expect(map('videosdk', 'VIEWER', anonymous).participantId).toBe('anon-a1');
    expect(map('getstream', 'VIEWER', anonymous).user_id).toBe('!anon');
    expect(map('getstream', 'VIEWER', { rooms: ['a', 'b'] }).call_cids).toEqual(['default:a', 'default:b']);
    expect(map('getstream', 'VIEWER', { rooms: undefined })).not.toHaveProperty('call_cids');
    expect(map('videosdk', 'VIEWER', { rooms: undefined })).not.toHaveProperty('roomId');
  });

  it('refuses several rooms for one-room platforms and a role without live:read (400)', () => {
    for (const platform of ['livekit', 'videosdk'] as const) {
      expect(() => map(platform, 'HOST', { rooms: ['a', 'b'] })).toThrow(/Field 'rooms' must name one room/);
    }
    expect(() => map('livekit', 'VIEWER', { perms: [] })).toThrow(InvalidRequestError);
    expect(() => profileClaims('getstream', { ...claims('HOST'), role: undefined, perms: undefined }, KEY)).toThrow(InvalidRequestError);
  });

  it('recognises a payload’s platform by its shape and the tenant’s keys', () => {
    const keys = new Map<MediaPlatform, MediaPlatformKey>([['livekit', { apiKey: 'lk' }], ['videosdk', { apiKey: 'vs' }], ['getstream', { apiKey: 'gs' }]]);
    expect(profileOfPayload({ iss: 'lk', video: {} }, keys)).toBe('livekit');
    expect(profileOfPayload({ iss: 'other', video: {} }, keys)).toBeUndefined();
    expect(profileOfPayload({ apikey: 'vs' }, keys)).toBe('videosdk');
    expect(profileOfPayload({ apikey: 'rk_prod_partner' }, keys)).toBeUndefined();
    expect(profileOfPayload({ user_id: 'u' }, keys)).toBe('getstream');
    expect(profileOfPayload({ user_id: 'u' }, new Map())).toBeUndefined();
  });
});
