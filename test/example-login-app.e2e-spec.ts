/**
 * The example login app (examples/login-app) walked as a browser would: every redirect followed by
 * hand, against the real services.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort, isReachable } from '../scripts/nats-server';
import { admin, startSystem, type RoomkeySystem } from './support/harness';

describe('the example login app', () => {
  let system: RoomkeySystem;
  let app: ChildProcess;
  let appUrl: string;

  beforeAll(async () => {
    system = await startSystem({ database: 'sqlite', issuers: 1 });
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    await admin(system).createTenant('shop', { loginUrl: `${appUrl}/login` });
    const key = await admin(system).createApiKey('shop', 'production');
    const client = (await admin(system).call('POST', '/admin/tenants/shop/clients', { public: true, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [`${appUrl}/callback`] })).body;
    app = spawn(process.execPath, [join(resolve(__dirname, '..'), 'examples', 'login-app', 'server.js')], {
      env: { ...process.env, ROOMKEY_URL: system.baseUrl, TENANT: 'shop', API_KEY: key.apiKey, API_SECRET: key.secret, CLIENT_ID: client.clientId, PORT: String(port) },
      stdio: 'ignore',
    });
    for (let i = 0; i < 100 && !(await isReachable('127.0.0.1', port)); i++) await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(async () => {
    app?.kill('SIGTERM');
    await system?.stop();
  });

  /** GET (or POST a form) without following redirects; answers status, location and text. */
  async function visit(url: string, form?: Record<string, string>) {
    const response = await fetch(url, {
      redirect: 'manual',
      ...(form ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() } : {}),
    });
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  }

  /** Follows redirects from `url` until a page answers. */
  async function browse(url: string, form?: Record<string, string>) {
    let answer = await visit(url, form);
    for (let hops = 0; answer.location && hops < 10; hops++) answer = await visit(new URL(answer.location, url).toString());
    return answer;
  }

  it('signs a user in through roomkey, shows the token, and refreshes it', async () => {
    const loginPage = await browse(`${appUrl}/start`);
    expect(loginPage.status).toBe(200);
    const challenge = /name="challenge" value="([^"]+)"/.exec(loginPage.text)![1];
    const signedIn = await browse(`${appUrl}/login`, { challenge, subject: 'alice', role: 'HOST', rooms: 'town-hall', action: 'accept' });
    expect(signedIn.status).toBe(200);
    expect(signedIn.text).toContain('Signed in as <strong>alice</strong> (HOST)');
    expect(signedIn.text).toContain('&#34;rooms&#34;');
    expect(signedIn.text).toContain('Refresh token: received');
    const refreshLink = /href="(\/refresh\?session=[^"]+)"/.exec(signedIn.text)![1];
    const refreshed = await browse(`${appUrl}${refreshLink}`);
    expect(refreshed.text).toContain('<h1>Refreshed</h1>');
  });

  it('comes back with the error when the user cancels', async () => {
    const loginPage = await browse(`${appUrl}/start`);
    const challenge = /name="challenge" value="([^"]+)"/.exec(loginPage.text)![1];
    const cancelled = await browse(`${appUrl}/login`, { challenge, action: 'reject' });
    expect(cancelled.status).toBe(400);
    expect(cancelled.text).toContain('The user cancelled');
  });
});
