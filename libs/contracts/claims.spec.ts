import { INVALID_TOKEN_MESSAGE, InvalidTokenError } from '@roomkey/errors';
import { ACCESS_TOKEN_TYPE, CLOCK_TOLERANCE_SECONDS, DEFAULT_AUDIENCE, issuerUrl, parseAccessTokenClaims } from './claims';

function validClaims(): Record<string, unknown> {
  return {
    iss: 'https://id.example/realms/acme',
    sub: 'alice',
    aud: 'roomkey',
    iat: 1_700_000_000,
    exp: 1_700_003_600,
    nbf: 1_700_000_000,
    jti: '2b0c7a8e-8a43-4d4f-9e45-1d1f2c3b4a5e',
    tid: 'acme',
    client_id: 'rk_prod_abc',
    kind: 'user',
    role: 'HOST',
    perms: ['live:read', 'layout:read', 'webrtc:join', 'layout:write', 'webrtc:start', 'live:write', 'guests:invite', 'broadcast:manage'],
    rooms: ['room-1', 'stage.main:2'],
    env: 'production',
    scope: 'openid profile',
    name: 'Alice',
    image: 'https://cdn.example/alice.png',
    act: { sub: 'host-1' },
  };
}

function expectRejected(payload: unknown): void {
  let caught: unknown;
  try {
    parseAccessTokenClaims(payload);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidTokenError);
  expect((caught as Error).message).toBe(INVALID_TOKEN_MESSAGE);
}

const without = (field: string) => {
  const claims = validClaims();
  delete claims[field];
  return claims;
};
const withField = (field: string, value: unknown) => ({ ...validClaims(), [field]: value });

describe('parseAccessTokenClaims', () => {
  it('accepts a full valid claim set and returns it', () => {
    const claims = validClaims();
    expect(parseAccessTokenClaims(claims)).toEqual(claims);
  });

  it('accepts a minimal service token (no role, perms, rooms, env) and an audience array', () => {
    const minimal = {
      iss: 'https://id.example/realms/acme',
      sub: 'client-1',
      aud: ['api-a', 'api-b'],
      iat: 10,
      exp: 11,
      jti: 'j',
      tid: 'acme',
      client_id: 'client-1',
      kind: 'service',
    };
    expect(parseAccessTokenClaims(minimal)).toEqual(minimal);
  });

  it('accepts an anonymous token with anon_id', () => {
    expect(parseAccessTokenClaims({ ...validClaims(), sub: '!anon', kind: 'anonymous', anon_id: 'x1' }).anon_id).toBe('x1');
  });

  it.each(['iss', 'sub', 'jti', 'tid', 'client_id', 'aud', 'iat', 'exp', 'kind'])('rejects a payload without %s', (field) => {
    expectRejected(without(field));
  });

  it.each(['iss', 'sub', 'jti', 'tid', 'client_id'])('rejects an empty or non-string %s', (field) => {
    expectRejected(withField(field, ''));
    expectRejected(withField(field, 42));
  });

  it.each([[''], [[]], [['roomkey', '']], [42], [[1]]])('rejects the bad aud %p', (aud) => {
    expectRejected(withField('aud', aud));
  });

  it.each([
    ['exp == iat', { iat: 100, exp: 100 }],
    ['exp < iat', { iat: 100, exp: 99 }],
    ['fractional iat', { iat: 100.5, exp: 200 }],
    ['negative iat', { iat: -1, exp: 200 }],
    ['string exp', { iat: 100, exp: '200' }],
    ['string nbf', { nbf: '100' }],
    ['fractional nbf', { nbf: 1.5 }],
  ])('rejects bad times: %s', (_label, patch) => {
    expectRejected({ ...validClaims(), ...patch });
  });

  it.each(['admin', 'host', 'ADMIN', 7])('rejects the bad role %p', (role) => {
    expectRejected(withField('role', role));
  });

  it.each([['fly'], ['live:read', 'all'], 'live:read', [1]])('rejects perms that are not permissions: %p', (perms) => {
    expectRejected(withField('perms', perms));
  });

  it('rejects a role without perms', () => {
    expectRejected(without('perms'));
  });

  it.each([[['room 1']], [['a/b']], [['x'.repeat(129)]], [[]], ['room-1'], [[5]]])('rejects the bad rooms %p', (rooms) => {
    expectRejected(withField('rooms', rooms));
  });

  it.each(['staging', 'PRODUCTION', 1])('rejects the bad env %p', (env) => {
    expectRejected(withField('env', env));
  });

  it.each(['robot', '', 'USER'])('rejects the bad kind %p', (kind) => {
    expectRejected(withField('kind', kind));
  });

  it.each(['scope', 'name', 'image', 'anon_id'])('rejects a non-string %s', (field) => {
    expectRejected(withField(field, 5));
  });

  it('rejects an anonymous token without anon_id (or with an empty one)', () => {
    expectRejected({ ...validClaims(), sub: '!anon', kind: 'anonymous' });
    expectRejected({ ...validClaims(), sub: '!anon', kind: 'anonymous', anon_id: '' });
  });

  it.each([['alice'], [{}], [{ sub: '' }], [{ sub: 5 }], [null]])('rejects the bad act %p', (act) => {
    expectRejected(withField('act', act));
  });

  it.each([[null], [undefined], ['a.b.c'], [42], [[validClaims()]]])('rejects the non-object payload %p', (payload) => {
    expectRejected(payload);
  });
});

describe('claim constants', () => {
  it('match the contract', () => {
    expect(ACCESS_TOKEN_TYPE).toBe('at+jwt');
    expect(DEFAULT_AUDIENCE).toBe('roomkey');
    expect(CLOCK_TOLERANCE_SECONDS).toBe(30);
  });

  it('issuerUrl is {PUBLIC_URL}/realms/{tenant}, without doubled slashes', () => {
    expect(issuerUrl('https://id.example', 'acme')).toBe('https://id.example/realms/acme');
    expect(issuerUrl('https://id.example//', 'acme')).toBe('https://id.example/realms/acme');
  });
});
