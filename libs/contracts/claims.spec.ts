import { INVALID_TOKEN_MESSAGE, InvalidRequestError, InvalidTokenError } from '@roomkey/errors';
import {
  ACCESS_TOKEN_TYPE,
  CLOCK_TOLERANCE_SECONDS,
  DEFAULT_AUDIENCE,
  ISSUER_CLAIMS,
  MAX_METADATA_BYTES,
  TOKEN_CONTENT_CLAIMS,
  issuerUrl,
  parseAccessTokenClaims,
  parseTokenContent,
} from './claims';
import { anonymousToken, guestToken, serviceToken, userToken } from './token-content';

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

function fullContent(): Record<string, unknown> {
  return {
    sub: 'alice',
    kind: 'user',
    client_id: 'rk_prod_abc',
    aud: ['roomkey', 'https://api.example'],
    nbf: 1_700_000_000,
    role: 'HOST',
    rooms: ['room-1', 'stage.main:2'],
    env: 'production',
    scope: 'openid profile',
    name: 'Alice',
    image: 'https://cdn.example/alice.png',
    act: { sub: 'host-1' },
    metadata: { team: 'blue', seat: 4, tags: ['a', 'b'], extra: { ok: true, none: null } },
  };
}

function contentError(payload: unknown): InvalidRequestError {
  let caught: unknown;
  try {
    parseTokenContent(payload);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidRequestError);
  return caught as InvalidRequestError;
}

/** Refused with a 400 whose field and message both name `field`. */
function expectRefusedNaming(payload: unknown, field: string): InvalidRequestError {
  const error = contentError(payload);
  expect(error.status).toBe(400);
  expect(error.code).toBe('invalid_request');
  expect(error.details.field).toBe(field);
  expect(error.message).toContain(`'${field}'`);
  return error;
}

const content = (patch: Record<string, unknown>) => ({ ...fullContent(), ...patch });

describe('parseTokenContent', () => {
  it('accepts every claim a caller may set and returns a fresh object with exactly those', () => {
    const input = fullContent();
    const parsed = parseTokenContent(input);
    expect(parsed).toStrictEqual(input);
    expect(parsed).not.toBe(input);
    expect(parsed.metadata).not.toBe(input.metadata);
    // Every claim but anon_id, which only anonymous tokens carry (tested below).
    expect(Object.keys(parsed).sort()).toEqual(TOKEN_CONTENT_CLAIMS.filter((c) => c !== 'anon_id').sort());
  });

  it('accepts the least content: sub, kind and client_id', () => {
    expect(parseTokenContent({ sub: 'svc', kind: 'service', client_id: 'rkc_1' })).toStrictEqual({ sub: 'svc', kind: 'service', client_id: 'rkc_1' });
  });

  it('drops optional claims sent as null and folds duplicate rooms', () => {
    const parsed = parseTokenContent(content({ name: null, image: null, role: null, env: null, metadata: null, act: null, rooms: ['r', 'r'] }));
    for (const claim of ['name', 'image', 'role', 'env', 'metadata', 'act']) expect(parsed).not.toHaveProperty(claim);
    expect(parsed.rooms).toEqual(['r']);
  });

  it.each(ISSUER_CLAIMS)('refuses %s: only the issuer sets it', (claim) => {
    const error = expectRefusedNaming(content({ [claim]: claim === 'perms' ? ['live:read'] : 'forged' }), claim);
    expect(error.message).toBe(`Claim '${claim}' is set by the issuer and may not be requested`);
  });

  it('names the issuer claim even when the rest of the request is also wrong', () => {
    // The forged mint from issue 9: no kind, and an iss of the caller's choosing.
    expectRefusedNaming({ sub: 'mallory', role: 'HOST', client_id: 'forged', iss: 'https://evil.example' }, 'iss');
  });

  it.each(['room', 'permissions', 'video', '__proto__x', 'Sub'])('refuses the unknown claim %s', (claim) => {
    const error = expectRefusedNaming(content({ [claim]: 'x' }), claim);
    expect(error.message).toContain('allowed claims are sub, kind, client_id');
  });

  it.each(['ADMIN', 'host', 'OWNER', 7, ['HOST']])('refuses the unknown role %p', (role) => {
    const error = expectRefusedNaming(content({ role }), 'role');
    expect(error.message).toContain('HOST, COHOST, CONTRIBUTOR, GUEST, VIEWER');
  });

  it.each([[['room 1']], [['a/b']], [['x'.repeat(129)]], [[]], ['room-1'], [[5]], [Array.from({ length: 101 }, (_, i) => `r${i}`)]])(
    'refuses the malformed rooms %p',
    (rooms) => {
      expectRefusedNaming(content({ rooms }), 'rooms');
    },
  );

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'u'.repeat(256)],
    ['a control character', 'ali\u0000ce'],
    ['a newline', 'alice\n'],
    ['a lone surrogate', 'a\uD800'],
    ['a number', 42],
  ])('refuses a sub that is %s', (_label, sub) => {
    expectRefusedNaming(content({ sub }), 'sub');
  });

  it('counts sub in code points: 255 emoji are fine', () => {
    expect(parseTokenContent(content({ sub: '😀'.repeat(255) })).sub).toHaveLength(510);
  });

  it.each([undefined, 'robot', 'USER', ''])('refuses the kind %p', (kind) => {
    expectRefusedNaming(content({ kind }), 'kind');
  });

  it.each([undefined, '', 5, 'k'.repeat(256)])('refuses the client_id %p', (clientId) => {
    expectRefusedNaming(content({ client_id: clientId }), 'client_id');
  });

  it.each([['name', 'n'.repeat(256)], ['image', 'i'.repeat(256)], ['name', 5], ['image', {}], ['name', 'a\u0007b']])(
    'refuses display data %s = %p',
    (field, value) => {
      expectRefusedNaming(content({ [field]: value }), field);
    },
  );

  it.each(['', 'has space', 5, [], ['ok', ''], Array.from({ length: 51 }, (_, i) => `a${i}`)])('refuses the aud %p', (aud) => {
    expectRefusedNaming(content({ aud }), 'aud');
  });

  it.each(['', 'a  b', ' a', 'a"b', 'a\\b', 5])('refuses the scope %p', (scope) => {
    expectRefusedNaming(content({ scope }), 'scope');
  });

  it.each(['staging', 'PRODUCTION', 1])('refuses the env %p', (env) => {
    expectRefusedNaming(content({ env }), 'env');
  });

  it.each([-1, 1.5, '100', Number.MAX_SAFE_INTEGER + 2])('refuses the nbf %p', (nbf) => {
    expectRefusedNaming(content({ nbf }), 'nbf');
  });

  it.each([['alice', 'act'], [[], 'act'], [{ sub: 'a', iss: 'x' }, 'act'], [{}, 'act.sub'], [{ sub: '' }, 'act.sub'], [{ sub: 5 }, 'act.sub']])(
    'refuses the act %p',
    (act, field) => {
      expectRefusedNaming(content({ act }), field);
    },
  );

  describe('anonymous tokens', () => {
    const anonymous = { sub: '!anon', kind: 'anonymous', client_id: 'rk_prod_abc', role: 'VIEWER', rooms: ['r'], anon_id: 'a-1' };

    it('are accepted with sub !anon, anon_id and rooms', () => {
      expect(parseTokenContent(anonymous)).toStrictEqual(anonymous);
    });

    it('need anon_id and rooms, and sub !anon', () => {
      expectRefusedNaming({ ...anonymous, anon_id: undefined }, 'anon_id');
      expectRefusedNaming({ ...anonymous, rooms: undefined }, 'rooms');
      expectRefusedNaming({ ...anonymous, sub: 'alice' }, 'sub');
    });

    it('are the only ones with sub !anon or an anon_id', () => {
      expectRefusedNaming(content({ sub: '!anon' }), 'sub');
      expectRefusedNaming(content({ anon_id: 'a-1' }), 'anon_id');
    });
  });

  describe('metadata (contract §3: a JSON object, at most 2 KiB serialized)', () => {
    it('accepts an object of exactly MAX_METADATA_BYTES', () => {
      const metadata = { note: 'x'.repeat(MAX_METADATA_BYTES - '{"note":""}'.length) };
      expect(JSON.stringify(metadata)).toHaveLength(MAX_METADATA_BYTES);
      expect(parseTokenContent(content({ metadata })).metadata).toEqual(metadata);
    });

    it('refuses one byte more, counting UTF-8 bytes rather than characters', () => {
      const error = expectRefusedNaming(content({ metadata: { note: 'x'.repeat(MAX_METADATA_BYTES - '{"note":""}'.length + 1) } }), 'metadata');
      expect(error.message).toContain('2048 bytes');
      // 700 × "é" is 1400 bytes, 711 characters serialized: short in characters, too long in bytes.
      expectRefusedNaming(content({ metadata: { a: 'é'.repeat(700), b: 'é'.repeat(700) } }), 'metadata');
    });

    it.each([['a string', 'team=blue'], ['an array', [1, 2]], ['a number', 5], ['a Date', new Date(0)], ['a Map', new Map()]])('refuses %s', (_label, metadata) => {
      expectRefusedNaming(content({ metadata }), 'metadata');
    });

    it.each([
      ['NaN', { n: Number.NaN }],
      ['an undefined value', { u: undefined }],
      ['a function', { f: () => 1 }],
      ['a nested Date', { when: new Date(0) }],
      ['a BigInt', { b: BigInt(1) }],
    ])('refuses values JSON cannot carry: %s', (_label, metadata) => {
      expectRefusedNaming(content({ metadata }), 'metadata');
    });

    it('refuses a cyclic object with a 400, not a crash', () => {
      const metadata: Record<string, unknown> = {};
      metadata.self = metadata;
      expectRefusedNaming(content({ metadata }), 'metadata');
    });
  });

  it.each([[null], ['claims'], [['sub']], [42]])('refuses the non-object %p', (payload) => {
    expect(contentError(payload).message).toMatch(/^Token claims /);
  });
});

describe('token content factories', () => {
  it('userToken: a partner user, absent options leaving their claims out', () => {
    expect(userToken({ subject: 'alice', clientId: 'rk_prod_abc', role: 'HOST', environment: 'production' })).toStrictEqual({
      sub: 'alice',
      client_id: 'rk_prod_abc',
      kind: 'user',
      role: 'HOST',
      env: 'production',
    });
    expect(
      userToken({ subject: 'alice', clientId: 'rkc_1', audience: 'api', role: 'GUEST', rooms: ['r'], scopes: ['openid', 'profile'], name: 'A', image: 'i' }),
    ).toStrictEqual({ sub: 'alice', client_id: 'rkc_1', kind: 'user', aud: 'api', role: 'GUEST', rooms: ['r'], scope: 'openid profile', name: 'A', image: 'i' });
    expect(userToken({ subject: 'alice', clientId: 'rkc_1', scopes: [] })).not.toHaveProperty('scope');
  });

  it('guestToken: GUEST unless told otherwise; an inviter becomes the actor', () => {
    expect(guestToken({ subject: 'g-1', clientId: 'rk_prod_abc', environment: 'development', rooms: ['r'] })).toStrictEqual({
      sub: 'g-1',
      client_id: 'rk_prod_abc',
      kind: 'guest',
      role: 'GUEST',
      env: 'development',
      rooms: ['r'],
    });
    expect(guestToken({ subject: 'g-2', clientId: 'rk_prod_abc', role: 'VIEWER', name: 'Bo', invitedBy: 'host-1' })).toStrictEqual({
      sub: 'g-2',
      client_id: 'rk_prod_abc',
      kind: 'guest',
      role: 'VIEWER',
      name: 'Bo',
      act: { sub: 'host-1' },
    });
  });

  it('anonymousToken: sub !anon, role VIEWER, the anon_id given', () => {
    expect(anonymousToken({ clientId: 'rk_prod_abc', environment: 'production', rooms: ['r'], anonId: 'a-1' })).toStrictEqual({
      sub: '!anon',
      client_id: 'rk_prod_abc',
      kind: 'anonymous',
      role: 'VIEWER',
      env: 'production',
      rooms: ['r'],
      anon_id: 'a-1',
    });
  });

  it('serviceToken: the client is its own subject, no role', () => {
    expect(serviceToken({ clientId: 'rkc_1', audience: ['a', 'b'], scopes: ['read'] })).toStrictEqual({
      sub: 'rkc_1',
      client_id: 'rkc_1',
      kind: 'service',
      aud: ['a', 'b'],
      scope: 'read',
    });
  });

  it('every factory builds content parseTokenContent accepts unchanged', () => {
    for (const built of [
      userToken({ subject: 'alice', clientId: 'rkc_1', audience: 'api', role: 'HOST', rooms: ['r'], scopes: ['openid'] }),
      guestToken({ subject: 'g-1', clientId: 'rk_dev_abc', environment: 'development', rooms: ['r'], invitedBy: 'host-1' }),
      anonymousToken({ clientId: 'rk_prod_abc', rooms: ['r'], anonId: 'a-1' }),
      serviceToken({ clientId: 'rkc_1', audience: 'roomkey' }),
    ]) {
      expect(parseTokenContent(built)).toStrictEqual(built);
    }
  });
});
