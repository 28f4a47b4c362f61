import {
  AccessDeniedError,
  ConflictError,
  ForbiddenError,
  GoneError,
  INVALID_TOKEN_MESSAGE,
  InternalError,
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  InvalidTargetError,
  InvalidTokenError,
  NotFoundError,
  OAuthError,
  OAuthInvalidRequestError,
  PayloadTooLargeError,
  RateLimitedError,
  RoomkeyError,
  UnauthorizedClientError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedGrantTypeError,
} from './errors';
import { asRoomkeyError, fromWireError, isWireError, toWireError, type WireError } from './wire';

type Case = [string, RoomkeyError, string, number];

const CASES: Case[] = [
  ['InvalidRequestError', new InvalidRequestError('Field x is bad', 'x'), 'invalid_request', 400],
  ['UnauthorizedError', new UnauthorizedError('Invalid API key or secret'), 'unauthorized', 401],
  ['InvalidTokenError', new InvalidTokenError('reason'), 'invalid_token', 401],
  ['ForbiddenError', new ForbiddenError('no'), 'forbidden', 403],
  ['NotFoundError', new NotFoundError('Tenant missing'), 'not_found', 404],
  ['ConflictError', new ConflictError('exists'), 'conflict', 409],
  ['GoneError', new GoneError('used up'), 'gone', 410],
  ['PayloadTooLargeError', new PayloadTooLargeError('too big'), 'payload_too_large', 413],
  ['RateLimitedError', new RateLimitedError('slow down', 7), 'rate_limited', 429],
  ['UnavailableError', new UnavailableError('try later'), 'unavailable', 503],
  ['InternalError', new InternalError('db password is hunter2'), 'internal_error', 500],
  ['InvalidClientError', new InvalidClientError('bad client'), 'invalid_client', 401],
  ['InvalidGrantError', new InvalidGrantError('bad grant'), 'invalid_grant', 400],
  ['UnauthorizedClientError', new UnauthorizedClientError('not for you'), 'unauthorized_client', 400],
  ['UnsupportedGrantTypeError', new UnsupportedGrantTypeError('password'), 'unsupported_grant_type', 400],
  ['InvalidScopeError', new InvalidScopeError('admin'), 'invalid_scope', 400],
  ['InvalidTargetError', new InvalidTargetError('room'), 'invalid_target', 400],
  ['OAuthInvalidRequestError', new OAuthInvalidRequestError('missing code'), 'invalid_request', 400],
  ['AccessDeniedError', new AccessDeniedError('audience'), 'access_denied', 403],
];

describe('toWireError / fromWireError', () => {
  it.each(CASES)('%s survives the round trip (class, code, status, oauth flag)', (name, error, code, status) => {
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    const wire = toWireError(error);
    expect(wire.ok).toBe(false);
    expect(wire.error).toBe(code);
    // Over NATS it is JSON: make sure nothing depends on object identity.
    const back = fromWireError(JSON.parse(JSON.stringify(wire)) as WireError);
    expect(back.constructor).toBe(error.constructor);
    expect(back.constructor.name).toBe(name);
    expect(back.code).toBe(code);
    expect(back.status).toBe(status);
    expect(back.oauth).toBe(error instanceof OAuthError);
    expect(back.expose).toBe(error.expose);
    if (error.expose) expect(back.message).toBe(error.message);
  });

  it('keeps the field of an InvalidRequestError', () => {
    const wire = toWireError(new InvalidRequestError("Field 'rooms' is bad", 'rooms'));
    expect(wire).toEqual({ ok: false, error: 'invalid_request', message: "Field 'rooms' is bad", field: 'rooms' });
    expect(fromWireError(wire).details.field).toBe('rooms');
  });

  it('never exposes the message of an InternalError', () => {
    const wire = toWireError(new InternalError('connect ECONNREFUSED postgres://admin:secret@db'));
    expect(wire).toEqual({ ok: false, error: 'internal_error', message: 'Internal error' });
    expect(JSON.stringify(wire)).not.toContain('secret');
    expect(fromWireError(wire)).toBeInstanceOf(InternalError);
  });

  it.each([
    ['an Error', new TypeError('Cannot read properties of undefined (reading x)')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['an object', { code: 'not_found' }],
  ])('turns %s into a non-exposed internal_error', (_label, thrown) => {
    const wire = toWireError(thrown);
    expect(wire).toEqual({ ok: false, error: 'internal_error', message: 'Internal error' });
    const known = asRoomkeyError(thrown);
    expect(known).toBeInstanceOf(InternalError);
    expect(known.expose).toBe(false);
  });

  it('asRoomkeyError keeps a RoomkeyError as is and the stack of a plain Error', () => {
    const known = new NotFoundError('x');
    expect(asRoomkeyError(known)).toBe(known);
    const plain = new Error('plain');
    expect(asRoomkeyError(plain).stack).toBe(plain.stack);
  });

  it('RateLimitedError keeps retryAfter (rounded up, at least 1 s)', () => {
    const wire = toWireError(new RateLimitedError('Too many failures', 42));
    expect(wire.retryAfter).toBe(42);
    const back = fromWireError(wire);
    expect(back).toBeInstanceOf(RateLimitedError);
    expect(back.details.retryAfterSeconds).toBe(42);
    expect(toWireError(new RateLimitedError('x', 2.1)).retryAfter).toBe(3);
    expect(toWireError(new RateLimitedError('x', 0)).retryAfter).toBe(1);
    expect(fromWireError({ ok: false, error: 'rate_limited', message: 'x' }).details.retryAfterSeconds).toBe(1);
  });

  it('OAuth errors carry the oauth flag on the wire and back', () => {
    for (const [, error] of CASES) {
      const wire = toWireError(error);
      if (error instanceof OAuthError) {
        expect(wire.oauth).toBe(true);
        expect(fromWireError(wire)).toBeInstanceOf(OAuthError);
      } else {
        expect(wire).not.toHaveProperty('oauth');
        expect(fromWireError(wire)).not.toBeInstanceOf(OAuthError);
      }
    }
  });

  it('distinguishes the OAuth invalid_request from the plain one by the flag', () => {
    expect(fromWireError({ ok: false, error: 'invalid_request', message: 'm' })).toBeInstanceOf(InvalidRequestError);
    expect(fromWireError({ ok: false, error: 'invalid_request', message: 'm', oauth: true })).toBeInstanceOf(OAuthInvalidRequestError);
  });

  it('InvalidTokenError always says the contract sentence, whatever the reason or the wire message', () => {
    expect(new InvalidTokenError('kid unknown').message).toBe('Token is invalid or expired');
    expect(INVALID_TOKEN_MESSAGE).toBe('Token is invalid or expired');
    expect(toWireError(new InvalidTokenError('signature')).message).toBe('Token is invalid or expired');
    const back = fromWireError({ ok: false, error: 'invalid_token', message: 'leaked reason: bad signature' });
    expect(back).toBeInstanceOf(InvalidTokenError);
    expect(back.message).toBe('Token is invalid or expired');
  });

  it('never puts detail on the wire, for any error class', () => {
    const secret = 'detail: kid k-7 unknown for tenant acme';
    const withDetail: RoomkeyError[] = [
      new InvalidRequestError("Field 'x' is bad", 'x', { detail: secret }),
      new RateLimitedError('slow down', 3, { detail: secret }),
      new InvalidTokenError(secret),
      new NotFoundError('Tenant not found', { detail: secret }),
      new InternalError('boom', { detail: secret }),
      new InvalidGrantError('bad grant', { detail: secret }),
    ];
    for (const error of withDetail) {
      expect(error.detail).toBe(secret);
      const wire = toWireError(error);
      expect(JSON.stringify(wire)).not.toContain(secret);
      expect(Object.keys(wire).sort()).toEqual(expect.arrayContaining(['error', 'message', 'ok']));
      expect(wire).not.toHaveProperty('detail');
      expect(wire).not.toHaveProperty('details');
      expect(fromWireError(wire).detail).toBeUndefined();
    }
  });

  it('InvalidTokenError keeps its reason as detail, not as its message', () => {
    const error = new InvalidTokenError('signature or time claims');
    expect(error.detail).toBe('signature or time claims');
    expect(error.message).toBe(INVALID_TOKEN_MESSAGE);
    expect(new InvalidTokenError().detail).toBeUndefined();
  });

  it('marks errors rebuilt from the wire as relayed (the service that threw them logged them)', () => {
    expect(fromWireError({ ok: false, error: 'internal_error', message: 'Internal error' }).details.relayed).toBe(true);
    expect(fromWireError({ ok: false, error: 'teapot', message: 'x' }).details.relayed).toBe(true);
    expect(new InternalError('local').details.relayed).toBeUndefined();
    expect(toWireError(fromWireError({ ok: false, error: 'not_found', message: 'm' }))).toEqual({ ok: false, error: 'not_found', message: 'm' });
  });

  it('an unknown wire code becomes an InternalError', () => {
    const back = fromWireError({ ok: false, error: 'teapot', message: 'short and stout' });
    expect(back).toBeInstanceOf(InternalError);
    expect(back.status).toBe(500);
    expect(toWireError(back).message).toBe('Internal error');
  });

  it('a wire error without a string message gets a neutral one', () => {
    const back = fromWireError({ ok: false, error: 'not_found', message: 5 as unknown as string });
    expect(back).toBeInstanceOf(NotFoundError);
    expect(back.message).toBe('Internal error');
  });

  it('isWireError recognises {ok: false} only', () => {
    expect(isWireError({ ok: false, error: 'x', message: 'y' })).toBe(true);
    for (const value of [{ ok: true }, null, undefined, 'ok', {}]) expect(isWireError(value)).toBe(false);
  });
});
