import { Writable } from 'node:stream';
import { errorLog } from './log';
import { configureLogger, PinoNestLogger, REDACTED } from './logger';

function capture(): { lines: () => Array<Record<string, unknown>>; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('structured logs', () => {
  let out: ReturnType<typeof capture>;
  beforeEach(() => {
    out = capture();
    configureLogger({ service: 'issuer', level: 'info', format: 'json', destination: out.stream });
  });

  it('writes one JSON line with a UTC ISO time in milliseconds, level, service, instance and message', () => {
    errorLog.write('info', 'hello', { tenant: 'acme' });
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'info', service: 'issuer', msg: 'hello', tenant: 'acme' });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof line.instance).toBe('string');
  });

  it('adds the request id and service of the request it is written for, unless the line names its own id', () => {
    const context = { requestId: 'req-7', service: 'keys' };
    errorLog.write('warn', 'in a request', {}, context);
    errorLog.write('warn', 'explicit', { requestId: 'req-8' }, context);
    errorLog.write('warn', 'outside a request', {});
    const [first, second, third] = out.lines();
    expect(first).toMatchObject({ requestId: 'req-7', service: 'keys' });
    expect(second).toMatchObject({ requestId: 'req-8', service: 'keys' });
    expect(third.service).toBe('issuer');
    expect(third.requestId).toBeUndefined();
  });

  it('never writes a secret, a token or a password field, at the top or in a body, params or headers', () => {
    errorLog.write('info', 'careful', { secret: 's3cret', body: { client_secret: 'cs' }, headers: { authorization: 'Basic eyJ' }, password: 'p' });
    const text = JSON.stringify(out.lines());
    for (const value of ['s3cret', '"cs"', 'eyJ', '"p"']) expect(text).not.toContain(value);
    expect(text).toContain(REDACTED);
  });

  it('drops lines below the level, and debug lines of NestJS wiring at info', () => {
    errorLog.write('debug', 'not shown', {});
    const nest = new PinoNestLogger();
    nest.log('Mapped {/x, GET} route', 'RouterExplorer');
    nest.log('Created tenant acme', 'TenantService');
    nest.error('boom', 'Error: boom\n    at x (y.ts:1:1)', 'Somewhere');
    const lines = out.lines();
    expect(lines.map((l) => l.msg)).toEqual(['Created tenant acme', 'boom']);
    expect(lines[0]).toMatchObject({ level: 'info', context: 'TenantService' });
    expect(lines[1]).toMatchObject({ level: 'error', context: 'Somewhere' });
    expect(String(lines[1].stack)).toContain('y.ts:1:1');
  });
});
