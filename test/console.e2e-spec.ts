/**
 * The web console in a real browser: Debian's Chromium driven by playwright-core against a whole
 * roomkey system (test/support/harness.ts). Sign-in (a bad key refused with the server's message,
 * reached and submitted from the keyboard), a tenant and an API key created (the secret shown once
 * and gone after a reload), a token minted in the workbench with its claims, revoked and seen live
 * as token.revoked on the events page, a signing key rotated and one revoked; the CSP header, no
 * console error or CSP violation, and nothing loaded from outside the origin.
 *
 * ROOMKEY_CONSOLE_SCREENSHOTS=1 also writes the README's screenshots (docs/console/*.png).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { jwtVerify } from 'jose';
import { API_ROUTES } from '../apps/gateway/docs/api-routes';
import { admin, eventually, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';

const CHROMIUM = process.env.ROOMKEY_CHROMIUM ?? '/usr/bin/chromium';
const HAS_MEDIA_PLATFORMS = API_ROUTES.some((route) => route.path === '/admin/tenants/{tenant}/media-platforms/{platform}');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log(`Browser tests of the web console skipped: no Chromium at ${CHROMIUM} (apt-get install chromium).`);
const SCREENSHOTS = process.env.ROOMKEY_CONSOLE_SCREENSHOTS ? join(__dirname, '..', 'docs', 'console') : undefined;
const EXPECTED_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
// Generous: two cores shared by several test runs.
const UI_TIMEOUT = 20_000;

/** Builds the console's assets when they are missing or older than their sources (as npm start does). */
function ensureConsoleBuilt(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const build = require('../scripts/build') as { consoleNeedsBuild(): boolean; buildConsole(): number };
  if (build.consoleNeedsBuild()) build.buildConsole();
}

/**
 * Evaluates browser code in the page (a string: this file is type-checked without the DOM library).
 * Never page.waitForFunction with a string: it evaluates with eval, which the console's CSP refuses.
 */
const inPage = <T>(target: Page, expression: string) => target.evaluate(expression) as Promise<T>;

/** What a page did that it should not: console errors, uncaught errors, CSP violations, requests to other origins. */
interface Misbehaviour {
  errors: string[];
  /** Answers ≥ 400 to the page's own calls, as `status path`. */
  failed: string[];
  violations: string[];
  foreign: string[];
}

// Screenshots (a test mode) run once; the browser checks run on every database like the other suites.
const databases = SCREENSHOTS ? testDatabases().slice(0, 1) : testDatabases();
(haveChromium ? describe.each(databases) : describe.skip.each(databases))('web console in Chromium (%s)', (database) => {
  let system: RoomkeySystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const misbehaviour: Misbehaviour = { errors: [], failed: [], violations: [], foreign: [] };
  const tenant = `console-${database}`;
  let mintedToken = '';
  /** The API key made on the API keys page, and its secret (copied from the page). */
  let createdKey = { apiKey: '', secret: '' };

  /** Records what the page must not do; every page of the suite is watched. */
  async function watch(target: Page): Promise<void> {
    target.on('console', (message) => {
      // A failed call is logged by Chromium as "Failed to load resource"; those are checked by URL below.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) misbehaviour.errors.push(message.text());
    });
    target.on('response', (response) => {
      if (response.status() >= 400) misbehaviour.failed.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    target.on('pageerror', (error) => misbehaviour.errors.push(String(error)));
    target.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${system.baseUrl}/`) && !url.startsWith('data:')) misbehaviour.foreign.push(url);
    });
    await target.exposeFunction('reportCspViolation', (text: string) => misbehaviour.violations.push(text));
    await target.addInitScript({
      content: "document.addEventListener('securitypolicyviolation', (event) => window.reportCspViolation(event.violatedDirective + ' ' + event.blockedURI));",
    });
  }

  async function signIn(target: Page, key: string): Promise<void> {
    await target.goto(`${system.baseUrl}/console`);
    await target.getByLabel('Admin key').fill(key);
    await target.getByLabel('Admin key').press('Enter');
  }

  /** A screenshot for the README, of the top of the page or from the element `scrollTo` selects. */
  async function shot(name: string, target: Page = page, scrollTo?: string): Promise<void> {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await inPage(target, scrollTo ? `document.querySelector(${JSON.stringify(scrollTo)}).scrollIntoView({ block: 'start' })` : 'window.scrollTo(0, 0)');
    await target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
  }

  beforeAll(async () => {
    ensureConsoleBuilt();
    system = await startSystem({ database });
    browser = await chromium.launch({ executablePath: CHROMIUM });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
    await watch(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('serves the page with a strict CSP, nosniff, no referrer, its own files only and no inline script or style', async () => {
    const answer = await fetch(`${system.baseUrl}/console`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(answer.headers.get('content-security-policy')).toBe(EXPECTED_CSP);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await answer.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    for (const [file, type] of [
      ['console.js', 'text/javascript; charset=utf-8'],
      ['console.css', 'text/css; charset=utf-8'],
    ]) {
      const asset = await fetch(`${system.baseUrl}/console/${file}`);
      expect({ file, status: asset.status, type: asset.headers.get('content-type') }).toEqual({ file, status: 200, type });
      expect(await asset.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    }
    const clientRoute = await fetch(`${system.baseUrl}/console/workbench`);
    expect(clientRoute.status).toBe(200);
    expect(await clientRoute.text()).toBe(html);
    const unknown = await http(system, 'GET', '/console/secrets.json');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'not_found', message: expect.any(String) });
  });

  it('refuses a wrong admin key with the server’s message', async () => {
    const refused = await http(system, 'GET', '/admin/tenants?limit=1', { bearer: 'not-the-admin-token' });
    expect(refused.status).toBe(401);
    await signIn(page, 'not-the-admin-token');
    const alert = page.getByRole('alert');
    await page.getByRole('alert').getByText(/^Sign-in refused: /).waitFor();
    expect(await alert.textContent()).toBe(`Sign-in refused: ${refused.body.message}`);
    expect(await inPage<number>(page, 'sessionStorage.length')).toBe(0);
    await shot('sign-in');
  });

  it('reaches the sign-in form by keyboard (Tab to the key, then the button) and submits it with Enter', async () => {
    await page.goto(`${system.baseUrl}/console`);
    await page.getByLabel('Admin key').waitFor();
    // Start from the top of the page, as a keyboard user arriving there does (a click on empty space).
    await page.mouse.click(2, 2);
    expect(await inPage<boolean>(page, 'document.activeElement === document.body')).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').getAttribute('name')).toBe('adminKey');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Sign in');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type(system.adminToken);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Console pages' }).waitFor();
    expect(page.url()).not.toContain(system.adminToken);
    expect(await context.cookies()).toEqual([]);
    expect(await inPage<number>(page, 'localStorage.length')).toBe(0);
  });

  it('creates a tenant', async () => {
    await page.goto(`${system.baseUrl}/console#/tenants`);
    await page.getByLabel('Shortcode').fill(tenant);
    await page.getByLabel('Name', { exact: true }).fill('Console test');
    await page.getByLabel('Guest access').check();
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByText(`${tenant} created`, { exact: false }).waitFor();
    await page.getByRole('region', { name: 'Tenant list' }).getByRole('link', { name: tenant, exact: true }).waitFor();
    const created = await admin(system).call('GET', `/admin/tenants/${tenant}`);
    expect(created.body).toMatchObject({ shortcode: tenant, name: 'Console test', guestAccess: true, anonymousAccess: false });
    expect(await page.locator('#tenant-picker').inputValue()).toBe(tenant);
    await shot('tenants');
  });

  it('pages through the tenants with nextCursor', async () => {
    for (let i = 0; i < 20; i++) await admin(system).createTenant(`paging-${String(i).padStart(2, '0')}`);
    await page.goto(`${system.baseUrl}/console#/tenants`);
    await page.reload();
    const list = page.getByRole('region', { name: 'Tenant list' });
    const shown = () => list.locator('tbody th a').allTextContents();
    await list.getByRole('button', { name: 'Next page' }).waitFor();
    const first = await shown();
    expect(first).toHaveLength(20);
    await list.getByRole('button', { name: 'Next page' }).click();
    await list.getByRole('button', { name: 'Previous page' }).waitFor();
    const second = await shown();
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((shortcode) => first.includes(shortcode))).toEqual([]);
    await list.getByRole('button', { name: 'Previous page' }).click();
    await list.getByRole('button', { name: 'Previous page' }).waitFor({ state: 'detached' });
    expect(await shown()).toEqual(first);
  });

  it('edits a tenant’s switches and role matrix', async () => {
    await page.goto(`${system.baseUrl}/console#/tenants/${tenant}`);
    await page.getByLabel('Anonymous access').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('anonymous access on').waitFor();
    await page.getByLabel('VIEWER webrtc:join').check();
    await page.getByRole('button', { name: 'Save role matrix' }).click();
    await page.getByText('Role matrix of').waitFor();
    const updated = await admin(system).call('GET', `/admin/tenants/${tenant}`);
    expect(updated.body.anonymousAccess).toBe(true);
    expect(updated.body.roleMatrix.VIEWER).toEqual(['live:read', 'layout:read', 'webrtc:join']);
    await shot('tenant-settings', page, 'main h1');
    await page.getByRole('button', { name: 'Restore the default matrix' }).click();
    await page.getByText('restored to the default').waitFor();
    expect((await admin(system).call('GET', `/admin/tenants/${tenant}`)).body.roleMatrix.VIEWER).toEqual(['live:read', 'layout:read']);
  });

  it('creates an API key whose secret is shown once, then mints a token with it in the workbench and sees its claims', async () => {
    await page.goto(`${system.baseUrl}/console#/api-keys`);
    await page.getByLabel('Name (optional)').fill('console key');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const secretBox = page.getByLabel('Secret', { exact: true });
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    const keys = await admin(system).call('GET', `/admin/tenants/${tenant}/api-keys`);
    expect(keys.body.items).toHaveLength(1);
    const apiKey: string = keys.body.items[0].apiKey;
    expect(secret.length).toBeGreaterThan(20);
    createdKey = { apiKey, secret };
    await page.getByRole('cell', { name: apiKey }).waitFor();
    await shot('api-keys');

    await page.getByRole('link', { name: 'Token workbench' }).click();
    await eventually(async () => (await page.locator('input[name=secret]').inputValue()) !== '', UI_TIMEOUT, 100);
    expect(await page.getByLabel('API key', { exact: true }).inputValue()).toBe(apiKey);
    expect(await page.getByLabel('API key secret').inputValue()).toBe(secret);
    await page.getByLabel('User id').fill('ada');
    await page.getByLabel('Role').selectOption('COHOST');
    await page.getByLabel('Rooms (space- or comma-separated)').fill('standup, retro');
    await page.getByRole('button', { name: 'Mint token' }).click();
    await page.getByText('Minted a roomkey token').waitFor();
    mintedToken = await page.locator('#minted-token').inputValue();
    const claims = page.getByRole('table', { name: 'Claims' });
    await expect(claims.getByRole('row', { name: /^sub ada$/ }).count()).resolves.toBe(1);
    expect(await claims.getByRole('row', { name: /^tid / }).textContent()).toBe(`tid${tenant}`);
    expect(await claims.getByRole('row', { name: /^rooms / }).textContent()).toBe('rooms["standup","retro"]');
    const permissions = page.getByRole('table', { name: 'Permissions' });
    expect(await permissions.getByRole('row', { name: /guests:invite/ }).textContent()).toContain('yes');
    expect(await permissions.getByRole('row', { name: /broadcast:manage/ }).textContent()).toContain('no');
    expect((await http(system, 'POST', '/v1/tokens/verify', { basic: { apiKey, secret }, body: { token: mintedToken } })).body.claims).toMatchObject({ sub: 'ada', role: 'COHOST' });
    await shot('workbench', page, 'main h1');
    await shot('workbench-token', page, '.token-out');

    // Verified in the page too.
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Verified: the token is active.').waitFor();

    // After a reload the secret is gone: not on the API keys page, not in the workbench, not in storage.
    await page.reload();
    await page.getByRole('heading', { name: /Token workbench/ }).waitFor();
    await page.locator('select[name=apiKey] option').first().waitFor({ state: 'attached' });
    expect(await page.getByLabel('API key secret').inputValue()).toBe('');
    const stored = await inPage<string>(page, "Object.values(sessionStorage).join(' ')");
    expect(stored).not.toContain(secret);
    await page.goto(`${system.baseUrl}/console#/api-keys`);
    await page.getByRole('cell', { name: apiKey }).waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByLabel('Secret', { exact: true }).count()).toBe(0);

    // Paste the secret back: revoke the minted token from the workbench, while a second tab follows the events.
    const events = await context.newPage();
    await watch(events);
    await signIn(events, system.adminToken);
    await events.getByRole('navigation', { name: 'Console pages' }).waitFor();
    await events.goto(`${system.baseUrl}/console#/events`);
    // A new tab has its own session storage: the tenant is chosen again there.
    await events.locator('#tenant-picker option', { hasText: tenant }).waitFor({ state: 'attached' });
    await events.getByLabel('Tenant', { exact: true }).selectOption(tenant);
    await events.getByText('Live: following the event stream.').waitFor();
    await events.locator('tr.event-api-key-created').waitFor();

    await page.goto(`${system.baseUrl}/console#/workbench`);
    await page.locator('select[name=apiKey] option').first().waitFor({ state: 'attached' });
    await page.getByLabel('API key secret').fill(secret);
    await page.getByLabel('Token', { exact: true }).fill(mintedToken);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText(/^Revoked: jti /).waitFor();
    const jti = JSON.parse(Buffer.from(mintedToken.split('.')[1], 'base64url').toString()).jti as string;
    await events.locator('tr.event-token-revoked', { hasText: jti }).waitFor();
    await shot('events', events);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Not valid.').waitFor();
    expect(await page.locator('.result .error').last().textContent()).toContain('Token is invalid or expired');
    await events.close();
  });

  it('follows the event feed again after a drop, resuming with Last-Event-ID (nothing missed, nothing twice)', async () => {
    await page.goto(`${system.baseUrl}/console#/events`);
    await page.getByText('Live: following the event stream.').waitFor();
    // A first live event gives the page a stream position (a frame id) to resume from.
    await admin(system).call('PATCH', `/admin/tenants/${tenant}`, { name: 'Before the drop' });
    await page.locator('tr.event-tenant-updated', { hasText: 'fields: ["name"]' }).first().waitFor();
    const resumedWith: string[] = [];
    page.on('request', (request) => {
      const lastEventId = request.headers()['last-event-id'];
      if (request.url().endsWith(`/admin/tenants/${tenant}/events`) && lastEventId) resumedWith.push(lastEventId);
    });

    // The gateway drops every connection (as a restart or a proxy would), the event stream's included;
    // an event happens before the page is back (it waits a second first).
    system.gateway.getHttpServer().closeAllConnections();
    const createKey = () => admin(system).call('POST', `/admin/tenants/${tenant}/api-keys`, { environment: 'development', name: 'made during the drop' });
    // This test's own pooled connection was dropped too: one retry on a fresh one.
    const missed = await createKey().catch(createKey);
    await eventually(async () => resumedWith.length > 0, UI_TIMEOUT, 100);
    expect(resumedWith[0]).toMatch(/^\d+$/);
    await page.locator('tr.event-api-key-created', { hasText: missed.body.apiKey }).waitFor();
    await page.getByText('Live: following the event stream.').waitFor();
    expect(await page.locator('tr.event-api-key-created', { hasText: missed.body.apiKey }).count()).toBe(1);

    // The type filter shows only that type.
    await page.getByLabel('Type').selectOption('api-key.created');
    await page.locator('tr.event-tenant-updated').first().waitFor({ state: 'detached' });
    const types = await page.locator('table.events tbody tr th').allTextContents();
    expect(types.length).toBeGreaterThan(0);
    expect(new Set(types)).toEqual(new Set(['api-key.created']));
  });

  // Claim profiles and the media-platform routes come with the profiles work (on main): until that and
  // this branch are merged together, this test is skipped.
  (HAS_MEDIA_PLATFORMS ? it : it.skip)('stores LiveKit credentials on the tenant page and mints a LiveKit-profile token in the workbench', async () => {
    const livekit = { apiKey: 'APIconsoleTest', apiSecret: 'a-livekit-secret-of-more-than-32-characters' };
    await page.goto(`${system.baseUrl}/console#/tenants/${tenant}`);
    await page.getByLabel('LiveKit API key').fill(livekit.apiKey);
    await page.getByLabel('LiveKit API secret').fill(livekit.apiSecret);
    await page.getByRole('button', { name: 'Save LiveKit' }).click();
    await page.getByText(`LiveKit credentials of ${tenant} saved`).waitFor();

    await page.goto(`${system.baseUrl}/console#/workbench`);
    await page.locator('select[name=apiKey] option').first().waitFor({ state: 'attached' });
    await page.getByLabel('API key', { exact: true }).selectOption(createdKey.apiKey);
    await page.getByLabel('API key secret').fill(createdKey.secret);
    await page.getByLabel('User id').fill('grace');
    await page.getByLabel('Rooms (space- or comma-separated)').fill('standup');
    await page.getByLabel('Profile').selectOption('livekit');
    await page.getByRole('button', { name: 'Mint token' }).click();
    await page.getByText('Minted a livekit token').waitFor();
    const token = await page.locator('#minted-token').inputValue();
    const claims = page.getByRole('table', { name: 'Claims' });
    expect(await claims.getByRole('row', { name: /^iss / }).textContent()).toBe(`iss${livekit.apiKey}`);
    expect(await claims.getByRole('row', { name: /^sub / }).textContent()).toBe('subgrace');
    await page.getByText('LiveKit video grant').waitFor();
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(livekit.apiSecret));
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ iss: livekit.apiKey, sub: 'grace', video: { room: 'standup', roomJoin: true } });
    await shot('workbench-livekit', page, '.token-out');
  });

  it('mints guest and anonymous tokens in the workbench', async () => {
    await page.goto(`${system.baseUrl}/console#/workbench`);
    await page.locator('select[name=apiKey] option').first().waitFor({ state: 'attached' });
    await page.getByLabel('API key', { exact: true }).selectOption(createdKey.apiKey);
    await page.getByLabel('API key secret').fill(createdKey.secret);
    await page.getByLabel('Kind').selectOption('guest');
    // The workbench keeps its choices while the page lives (an earlier test picked LiveKit).
    await page.getByLabel('Profile').selectOption('roomkey');
    await page.getByLabel('User id').fill('visitor');
    await page.getByLabel('Rooms (space- or comma-separated)').fill('standup');
    await page.getByRole('button', { name: 'Mint token' }).click();
    await page.getByText(/^Minted a roomkey token for visitor-/).waitFor();
    const claims = page.getByRole('table', { name: 'Claims' });
    expect(await claims.getByRole('row', { name: /^kind / }).textContent()).toBe('kindguest');
    expect(await claims.getByRole('row', { name: /^role / }).textContent()).toBe('roleGUEST');

    await page.getByLabel('Kind').selectOption('anonymous');
    expect(await page.getByLabel('User id').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Mint token' }).click();
    await page.getByText(/^Minted a roomkey token, valid/).waitFor();
    expect(await claims.getByRole('row', { name: /^sub / }).textContent()).toBe('sub!anon');
    expect(await claims.getByRole('row', { name: /^kind / }).textContent()).toBe('kindanonymous');
  });

  it('rotates an API key with a grace period and revokes one after a confirmation', async () => {
    await page.goto(`${system.baseUrl}/console#/api-keys`);
    await page.getByLabel('Grace period when rotating (seconds)').fill('60');
    await page.getByRole('button', { name: `Rotate ${createdKey.apiKey}` }).click();
    await page.getByText(`New secret for ${createdKey.apiKey}`).waitFor();
    const rotated = await page.getByLabel('Secret', { exact: true }).inputValue();
    expect(rotated).not.toBe(createdKey.secret);
    const token = (basic: { apiKey: string; secret: string }) => http(system, 'POST', '/v1/access-tokens', { basic, body: { userId: 'ada', role: 'GUEST' } });
    // Both secrets work during the grace period.
    expect((await token({ apiKey: createdKey.apiKey, secret: rotated })).status).toBe(201);
    expect((await token(createdKey)).status).toBe(201);

    const developmentKey = (await admin(system).call('POST', `/admin/tenants/${tenant}/api-keys`, { environment: 'development' })).body as { apiKey: string; secret: string };
    await page.reload();
    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await page.getByRole('button', { name: `Revoke ${developmentKey.apiKey}` }).click();
    await page.getByText(`${developmentKey.apiKey} revoked.`).waitFor();
    expect(question).toContain(`Revoke ${developmentKey.apiKey}?`);
    expect((await token(developmentKey)).status).toBe(401);
  });

  it('rotates the signing keys and revokes a compromised key after a confirmation', async () => {
    const before = (await admin(system).call('GET', `/admin/tenants/${tenant}/signing-keys`)).body.items as Array<{ kid: string; state: string }>;
    const next = before.find((key) => key.state === 'next')!;
    await page.goto(`${system.baseUrl}/console#/signing-keys`);
    await page.getByRole('cell', { name: next.kid }).waitFor();
    await page.getByRole('button', { name: 'Rotate now' }).click();
    await page.getByText(`Rotated: ${next.kid} is now the active key.`).waitFor();
    const after = (await admin(system).call('GET', `/admin/tenants/${tenant}/signing-keys`)).body.items as Array<{ kid: string; state: string }>;
    expect(after.find((key) => key.kid === next.kid)?.state).toBe('active');
    await page.getByRole('row', { name: new RegExp(next.kid) }).getByText('active').waitFor();
    await shot('signing-keys');

    const retiring = after.find((key) => key.state === 'retiring')!;
    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: `Revoke ${retiring.kid}` }).click();
    expect(question).toContain(`Revoke signing key ${retiring.kid}?`);
    expect((await admin(system).call('GET', `/admin/tenants/${tenant}/signing-keys`)).body.items.find((k: { kid: string }) => k.kid === retiring.kid).state).toBe('retiring');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Revoke ${retiring.kid}` }).click();
    await page.getByText(`${retiring.kid} revoked.`).waitFor();
    expect((await admin(system).call('GET', `/admin/tenants/${tenant}/signing-keys`)).body.items.find((k: { kid: string }) => k.kid === retiring.kid).state).toBe('revoked');
  });

  it('opens every page, at laptop and phone sizes, loading nothing from outside the origin', async () => {
    const pages = ['tenants', 'api-keys', 'clients', 'signing-keys', 'webhooks', 'workbench', 'events'];
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      await page.setViewportSize(viewport);
      for (const name of pages) {
        await page.goto(`${system.baseUrl}/console#/${name}`);
        await page.getByRole('main').getByRole('heading', { level: 1 }).waitFor();
        await page.waitForLoadState('networkidle').catch(() => undefined);
        // Readable: nothing wider than the screen but scrollable tables.
        const overflow = await inPage<number>(page, 'document.documentElement.scrollWidth - window.innerWidth');
        expect({ name, viewport: viewport.width, overflow }).toEqual({ name, viewport: viewport.width, overflow: 0 });
      }
    }
    await page.goto(`${system.baseUrl}/console#/workbench`);
    await page.getByRole('button', { name: 'Mint token' }).waitFor();
    await shot('workbench-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(misbehaviour.foreign).toEqual([]);
  });

  it('creates, edits and rotates the secret of an OAuth client', async () => {
    await page.goto(`${system.baseUrl}/console#/clients`);
    await page.getByLabel('Name', { exact: true }).first().fill('backend');
    await page.getByRole('button', { name: 'Create client' }).click();
    await page.getByLabel('Client secret').waitFor();
    const clients = (await admin(system).call('GET', `/admin/tenants/${tenant}/clients`)).body.items as Array<{ clientId: string }>;
    const clientId = clients[0].clientId;
    await page.getByRole('button', { name: `Edit ${clientId}` }).click();
    const form = page.getByRole('form', { name: `Edit ${clientId}` });
    await form.getByLabel('Access token lifetime (seconds)').fill('600');
    await form.getByRole('button', { name: 'Save client' }).click();
    await page.getByText(`Client ${clientId} saved.`).waitFor();
    expect((await admin(system).call('GET', `/admin/tenants/${tenant}/clients/${clientId}`)).body.accessTokenTtl).toBe(600);
    await page.getByRole('button', { name: `Rotate the secret of ${clientId}` }).click();
    await page.getByText(`New secret for ${clientId}`).waitFor();
    await shot('clients');
  });

  it('creates a webhook, sees its deliveries, and deletes it', async () => {
    const received: string[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push(body);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    try {
      await page.goto(`${system.baseUrl}/console#/webhooks`);
      await page.getByLabel('Endpoint URL').fill(receiverUrl);
      await page.getByLabel('token.revoked').uncheck();
      await page.getByLabel('tenant.updated').check();
      await page.getByRole('button', { name: 'Create webhook' }).click();
      const secret = await page.getByLabel('Signing secret').inputValue();
      expect(secret).toMatch(/^whsec_/);
      const hooks = (await admin(system).call('GET', `/admin/tenants/${tenant}/webhooks`)).body.items as Array<{ id: string; events: string[] }>;
      expect(hooks.map((hook) => hook.events)).toEqual([['tenant.updated']]);
      const hookId = hooks[0].id;

      await admin(system).call('PATCH', `/admin/tenants/${tenant}`, { name: 'Console test, renamed' });
      await eventually(async () => received.length > 0, UI_TIMEOUT, 100);
      // Deliveries are recorded after the answer: ask again until the page lists it as delivered.
      await eventually(
        async () => {
          await page.getByRole('button', { name: `Deliveries of webhook ${hookId}` }).click();
          return (await page.locator('.delivery-delivered').count()) > 0;
        },
        UI_TIMEOUT,
        250,
      );
      expect(await page.getByRole('table', { name: /^Deliveries to / }).getByRole('row', { name: /tenant\.updated/ }).textContent()).toContain('delivered');
      await shot('webhooks');

      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: `Delete webhook ${hookId}` }).click();
      await page.getByText(`Webhook ${hookId} deleted.`).waitFor();
      expect((await admin(system).call('GET', `/admin/tenants/${tenant}/webhooks`)).body.items).toEqual([]);
    } finally {
      receiver.close();
    }
  });

  it('signs in with a scoped admin key and shows the server’s refusal of what its scopes do not allow', async () => {
    const readOnly = await admin(system).call('POST', '/admin/admin-keys', { name: 'console reader', scopes: ['tenants:read'] });
    expect(readOnly.status).toBe(201);
    const reader = await context.newPage();
    await watch(reader);
    await signIn(reader, readOnly.body.secret);
    await reader.getByRole('navigation', { name: 'Console pages' }).waitFor();
    await reader.locator('#tenant-picker option', { hasText: tenant }).first().waitFor({ state: 'attached' });
    await reader.getByLabel('Tenant', { exact: true }).selectOption(tenant);
    await reader.goto(`${system.baseUrl}/console#/api-keys`);
    await reader.getByRole('cell', { name: createdKey.apiKey }).waitFor();
    await reader.getByRole('button', { name: 'Create API key' }).click();
    const refusal = await http(system, 'POST', `/admin/tenants/${tenant}/api-keys`, { bearer: readOnly.body.secret, body: { environment: 'production' } });
    expect(refusal.status).toBe(403);
    await reader.getByText(`${refusal.body.message} (forbidden)`).waitFor();
    await reader.close();
  });

  it('signs out, forgetting the admin key, and shows no console error or CSP violation on any page', async () => {
    await page.goto(`${system.baseUrl}/console#/tenants`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin key').waitFor();
    expect(await inPage<number>(page, 'sessionStorage.length')).toBe(0);
    await page.reload();
    await page.getByLabel('Admin key').waitFor();
    expect(misbehaviour.errors).toEqual([]);
    // The refused sign-in, the revoked token verified and the read-only key's attempt: nothing else failed.
    expect([...new Set(misbehaviour.failed)].sort()).toEqual(['401 /admin/tenants', '401 /v1/tokens/verify', `403 /admin/tenants/${tenant}/api-keys`]);
    expect(misbehaviour.violations).toEqual([]);
    expect(misbehaviour.foreign).toEqual([]);
  });
});
