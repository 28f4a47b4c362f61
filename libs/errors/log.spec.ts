import { ConflictError, InternalError, InvalidTokenError, NotFoundError, UnavailableError } from './errors';
import { describeToken, errorLog, logFailure, logTokenRejection } from './log';
import { configureLogger } from './logger';
import { fromWireError } from './wire';

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (header: unknown, payload: unknown) => `${segment(header)}.${segment(payload)}.c2lnbmF0dXJl`;

describe('error logging', () => {
  let write: jest.SpyInstance;
  beforeEach(() => {
    write = jest.spyOn(errorLog, 'write').mockImplementation(() => undefined);
  });
  afterEach(() => {
    write.mockRestore();
  });

  it('logs an unexpected error once at error level with its stack, where and the request id', () => {
    const thrown = new TypeError('Cannot read properties of undefined');
    const known = logFailure(thrown, 'roomkey.v1.tokens.create', { requestId: 'req-1', service: 'issuer' });
    expect(known).toBeInstanceOf(InternalError);
    expect(write).toHaveBeenCalledTimes(1);
    const [level, message, fields] = write.mock.calls[0];
    expect(level).toBe('error');
    expect(message).toContain('Cannot read properties of undefined');
    expect(fields).toMatchObject({ where: 'roomkey.v1.tokens.create', requestId: 'req-1', code: 'internal_error', stack: thrown.stack });
    expect(write.mock.calls[0][3]).toEqual({ requestId: 'req-1', service: 'issuer' });
  });

  it('logs without a request id outside a request', () => {
    logFailure(new Error('x'), 'somewhere', undefined);
    expect(write.mock.calls[0][2].requestId).toBeUndefined();
  });

  it('logs expected errors at debug only, with their detail', () => {
    logFailure(new NotFoundError('Tenant not found', { detail: 'acme deleted' }), 'GET /admin/tenants/:t', { requestId: 'r' });
    logFailure(new ConflictError('exists'), 'POST /admin/tenants', { requestId: 'r' });
    logFailure(new InvalidTokenError('revoked'), 'roomkey.v1.tokens.verify', { requestId: 'r' });
    expect(write.mock.calls.map(([level]) => level)).toEqual(['debug', 'debug', 'debug']);
    expect(write.mock.calls[0][2].detail).toBe('acme deleted');
    expect(write.mock.calls[2][2].detail).toBe('revoked');
  });

  it('logs unavailable at warn and relayed errors at debug (the service that threw them logged them)', () => {
    logFailure(new UnavailableError('The issuer service did not answer in time'), 'POST /v1/access-tokens', { requestId: 'r' });
    logFailure(fromWireError({ ok: false, error: 'internal_error', message: 'Internal error' }), 'POST /v1/access-tokens', { requestId: 'r' });
    expect(write.mock.calls.map(([level]) => level)).toEqual(['warn', 'debug']);
  });

  it('logs a token rejection with its reason, kid and jti, never the token, and rethrows', () => {
    const token = jwt({ alg: 'ES256', kid: 'key-1', typ: 'at+jwt' }, { jti: 'jti-1', sub: 'alice' });
    const rejection = new InvalidTokenError('signature or time claims');
    expect(() => logTokenRejection(rejection, token, { requestId: 'req-9' })).toThrow(rejection);
    expect(write).toHaveBeenCalledTimes(1);
    const [level, message, fields] = write.mock.calls[0];
    expect(level).toBe('debug');
    expect(fields).toEqual({ requestId: 'req-9', detail: 'signature or time claims', kid: 'key-1', jti: 'jti-1' });
    expect(JSON.stringify([message, fields])).not.toContain(token.split('.')[1]);
  });

  it('rethrows other errors from a verification without logging them as rejections', () => {
    const failure = new Error('keys service down');
    expect(() => logTokenRejection(failure, 'a.b.c', { requestId: 'req-9' })).toThrow(failure);
    expect(write).not.toHaveBeenCalled();
  });

  it('writes one pino line: the message, the fields and the stack as JSON', () => {
    write.mockRestore();
    const lines: string[] = [];
    configureLogger({ level: 'info', format: 'json', destination: { write: (line: string) => void lines.push(line) } });
    errorLog.write('error', 'Unexpected error: boom', { where: 'roomkey.v1.tokens.create', requestId: 'r 1', stack: 'Error: boom\n    at x' });
    errorLog.write('debug', 'below the level', {});
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'error', msg: 'Unexpected error: boom', where: 'roomkey.v1.tokens.create', requestId: 'r 1', stack: 'Error: boom\n    at x' });
  });
});

describe('describeToken', () => {
  it('reads kid and jti without verifying', () => {
    expect(describeToken(jwt({ kid: 'k' }, { jti: 'j' }))).toEqual({ kid: 'k', jti: 'j' });
  });

  it('leaves out what it cannot read or what is not a printable id', () => {
    expect(describeToken('not a token')).toEqual({});
    expect(describeToken('')).toEqual({});
    expect(describeToken(jwt(null, 5))).toEqual({});
    expect(describeToken(jwt({ kid: 7 }, { jti: 'line\nbreak' }))).toEqual({});
    expect(describeToken(jwt({ kid: 'x'.repeat(129) }, { jti: 'ok' }))).toEqual({ jti: 'ok' });
    expect(describeToken(`${jwt({ kid: 'k' }, {})}${'a'.repeat(9000)}`)).toEqual({});
  });
});
