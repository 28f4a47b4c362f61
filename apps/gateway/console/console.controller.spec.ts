import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHttpError } from '../http/http-errors';
import { ConsoleAssets } from './console-assets';
import { CONSOLE_SECURITY_HEADERS, ConsoleController } from './console.controller';

/** Just enough of a Fastify reply to see what the controller answers. */
function fakeReply() {
  const reply = {
    headers: {} as Record<string, string>,
    contentType: '',
    body: undefined as unknown,
  };
  const api = {
    headers: (values: Record<string, string>) => (Object.assign(reply.headers, values), api),
    header: (name: string, value: string) => ((reply.headers[name] = value), api),
    type: (value: string) => ((reply.contentType = value), api),
    send: (body: unknown) => ((reply.body = body), api),
  };
  return { reply, api: api as never };
}

describe('ConsoleController', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'roomkey-console-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers 503 in the contract shape, saying to run npm run build, while the console is not built', () => {
    const controller = new ConsoleController(new ConsoleAssets(dir));
    const { reply, api } = fakeReply();
    let thrown: unknown;
    try {
      controller.page(api);
    } catch (error) {
      thrown = error;
    }
    const answer = toHttpError(thrown);
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ error: 'unavailable', message: expect.stringContaining('npm run build') });
    expect(reply.headers).toMatchObject(CONSOLE_SECURITY_HEADERS);
  });

  it('serves built files with their types, the page for client routes, and 404 for anything else', () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'console.js'), 'void 0;');
    const controller = new ConsoleController(new ConsoleAssets(dir));
    const served = (file: string) => {
      const { reply, api } = fakeReply();
      controller.file(file, api);
      return reply;
    };
    expect(served('console.js')).toMatchObject({ contentType: 'text/javascript; charset=utf-8', body: Buffer.from('void 0;') });
    expect(served('tenants')).toMatchObject({ contentType: 'text/html; charset=utf-8', body: Buffer.from('<!doctype html>') });
    expect(served('index.html').headers['content-security-policy']).toContain("script-src 'self'");
    expect(() => served('console.css')).toThrow(/npm run build/);
    for (const other of ['package.json', '..', 'main.ts']) expect(toHttpError(catchError(() => served(other))).status).toBe(404);
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
