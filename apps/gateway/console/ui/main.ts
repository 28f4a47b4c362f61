/**
 * The roomkey web console: sign-in with an admin key, then hash-routed pages (#/tenants,
 * #/api-keys, …). Everything the page shows comes from the public HTTP API through api.ts.
 */
import { AdminApi, RoomkeyError } from './api';
import { button, field, h, input, replaceChildren, select } from './dom';
import type { PageDefinition } from './page';
import { apiKeysPage } from './pages/api-keys';
import { clientsPage } from './pages/clients';
import { eventsPage } from './pages/events';
import { signingKeysPage } from './pages/signing-keys';
import { tenantsPage } from './pages/tenants';
import { webhooksPage } from './pages/webhooks';
import { workbenchPage } from './pages/workbench';
import { session } from './session';

const PAGES: PageDefinition[] = [tenantsPage, apiKeysPage, clientsPage, signingKeysPage, webhooksPage, workbenchPage, eventsPage];
const app = document.getElementById('app')!;

function signInView(message?: string): void {
  document.title = 'Sign in · roomkey console';
  const key = input({ type: 'password', name: 'adminKey', autocomplete: 'off', required: true, spellcheck: false });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const alert = h('div', { className: 'result', attrs: { role: 'alert', 'aria-live': 'assertive' } }, message ? h('p', { className: 'error' }, message) : null);
  const form = h(
    'form',
    { className: 'card sign-in', attrs: { 'aria-labelledby': 'sign-in-title' } },
    h('h1', { id: 'sign-in-title' }, 'roomkey console'),
    h('p', {}, 'Sign in with an admin key: the bootstrap ROOMKEY_ADMIN_TOKEN or an rk_admin_… key. It is kept in this tab only and forgotten when you sign out or close the tab.'),
    field('Admin key', key),
    submit,
    alert,
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    const candidate = key.value.trim();
    if (!candidate) return;
    submit.disabled = true;
    replaceChildren(alert);
    try {
      await new AdminApi(candidate).check();
      session.signIn(candidate);
      if (!location.hash || location.hash === '#/') location.hash = '#/tenants';
      await render();
    } catch (error) {
      const reason = error instanceof RoomkeyError ? error.message : String(error);
      replaceChildren(alert, h('p', { className: 'error' }, `Sign-in refused: ${reason}`));
      key.select();
    } finally {
      submit.disabled = false;
    }
  };
  replaceChildren(app, h('main', { id: 'main', className: 'narrow' }, form));
  key.focus();
}

let leavePage: AbortController | undefined;

/** After a navigation, focus moves to the page's content, so keyboard and screen-reader users start there. */
async function render(navigated = false): Promise<void> {
  leavePage?.abort();
  const adminKey = session.adminKey();
  if (!adminKey) return signInView();
  const api = new AdminApi(adminKey);
  const [name = 'tenants', ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = PAGES.find((p) => p.path === name) ?? tenantsPage;

  const tenantPicker = select([{ value: '', label: 'Choose a tenant' }], { id: 'tenant-picker' });
  const nav = h(
    'nav',
    { attrs: { 'aria-label': 'Console pages' } },
    h('ul', {}, ...PAGES.map((p) => h('li', {}, h('a', { href: `#/${p.path}`, attrs: p === page ? { 'aria-current': 'page' } : {} }, p.title)))),
  );
  const main = h('main', { id: 'main', tabIndex: -1 });
  const header = h(
    'header',
    { className: 'top' },
    h('p', { className: 'brand' }, 'roomkey console'),
    h('div', { className: 'tenant-choice' }, field('Tenant', tenantPicker)),
    button('Sign out', () => {
      session.signOut();
      leavePage?.abort();
      history.replaceState(null, '', location.pathname);
      signInView('Signed out.');
    }),
  );
  replaceChildren(app, header, nav, main);

  const selectTenant = async (tenant: string) => {
    session.setTenant(tenant);
    await fillTenantPicker();
  };
  async function fillTenantPicker() {
    try {
      const { items } = await api.listTenants(null, 100);
      const current = session.tenant();
      replaceChildren(tenantPicker, h('option', { value: '' }, 'Choose a tenant'), ...items.map((t) => h('option', { value: t.shortcode }, `${t.shortcode} — ${t.name}`)));
      if (current && !items.some((t) => t.shortcode === current)) tenantPicker.append(h('option', { value: current }, current));
      tenantPicker.value = current ?? '';
    } catch (error) {
      if (error instanceof RoomkeyError && error.status === 401) {
        session.signOut();
        signInView(`Signed out: ${error.message}`);
      }
    }
  }
  tenantPicker.onchange = () => {
    session.setTenant(tenantPicker.value || undefined);
    void render();
  };
  void fillTenantPicker();

  leavePage = new AbortController();
  const tenant = session.tenant();
  document.title = `${page.title} · roomkey console`;
  main.append(h('h1', {}, page.title, page.needsTenant && tenant ? h('span', { className: 'subtitle' }, ` · ${tenant}`) : null));
  if (page.needsTenant && !tenant) {
    main.append(h('p', {}, 'Choose a tenant in the header first (or create one on the ', h('a', { href: '#/tenants' }, 'Tenants'), ' page).'));
    return;
  }
  await page.render({ api, tenant, params, root: main, signal: leavePage.signal, selectTenant });
  if (navigated) main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', () => void render(true));
void render();
