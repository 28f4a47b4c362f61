/** Tenants: a paged list, create, and one tenant's settings (switches, login URL, role matrix grid). */
import { DEFAULT_ROLE_MATRIX, PERMISSIONS, ROLES, type Permission, type Role } from '../../../../../libs/contracts/roles';
import type { AdminTenant, MediaPlatform } from '../api';
import { button, field, formatTime, h, input, replaceChildren, table } from '../dom';
import type { PageContext, PageDefinition } from '../page';
import { session } from '../session';
import { attempt, resultArea, showMessage } from '../widgets';

export const tenantsPage: PageDefinition = {
  path: 'tenants',
  title: 'Tenants',
  needsTenant: false,
  render: (context) => (context.params[0] ? renderTenant(context, context.params[0]) : renderList(context)),
};

function renderList({ api, root, selectTenant }: PageContext): void {
  const result = resultArea();
  const shortcode = input({ name: 'shortcode', required: true, autocomplete: 'off', attrs: { pattern: '[a-z0-9][a-z0-9\\-]{1,62}' } });
  const name = input({ name: 'name', required: true, autocomplete: 'off' });
  const loginUrl = input({ type: 'url', name: 'loginUrl', autocomplete: 'off' });
  const guestAccess = input({ type: 'checkbox', name: 'guestAccess' });
  const anonymousAccess = input({ type: 'checkbox', name: 'anonymousAccess' });
  const create = h('button', { type: 'submit' }, 'Create tenant');
  const form = h(
    'form',
    { className: 'card', attrs: { 'aria-label': 'Create a tenant' } },
    h('h2', {}, 'Create a tenant'),
    h(
      'div',
      { className: 'grid' },
      field('Shortcode', shortcode, '2–63 characters of a–z, 0–9 and -'),
      field('Name', name),
      field('Login URL (optional)', loginUrl, 'Where roomkey sends users to sign in'),
    ),
    h('div', { className: 'row' }, field('Guest access', guestAccess), field('Anonymous access', anonymousAccess)),
    create,
  );
  form.onsubmit = (event) => {
    event.preventDefault();
    void attempt(result, create, async () => {
      const tenant = await api.createTenant({
        shortcode: shortcode.value.trim(),
        name: name.value.trim(),
        ...(loginUrl.value.trim() ? { loginUrl: loginUrl.value.trim() } : {}),
        guestAccess: guestAccess.checked,
        anonymousAccess: anonymousAccess.checked,
      });
      form.reset();
      await selectTenant(tenant.shortcode);
      showMessage(result, 'Tenant ', h('a', { href: `#/tenants/${encodeURIComponent(tenant.shortcode)}` }, tenant.shortcode), ` created; it is now the current tenant. Issuer: ${tenant.issuer}`);
      await loadPage(null);
    });
  };

  const listArea = h('section', { attrs: { 'aria-label': 'Tenant list' } });
  const cursors: Array<string | null> = [];
  async function loadPage(cursor: string | null): Promise<void> {
    const page = await api.listTenants(cursor, 20);
    const rows = page.items.map((t) => [
      h('a', { href: `#/tenants/${encodeURIComponent(t.shortcode)}` }, t.shortcode),
      t.name,
      t.guestAccess ? 'yes' : 'no',
      t.anonymousAccess ? 'yes' : 'no',
      formatTime(t.createdAt),
      button(`Use ${t.shortcode}`, () => selectTenant(t.shortcode).then(() => showMessage(result, `${t.shortcode} is now the current tenant.`))),
    ]);
    const previous = cursors.length > 0 ? button('Previous page', () => attempt(result, null, () => loadPage(cursors.pop() ?? null))) : null;
    const next = page.nextCursor
      ? button('Next page', () =>
          attempt(result, null, async () => {
            cursors.push(cursor);
            await loadPage(page.nextCursor);
          }),
        )
      : null;
    replaceChildren(
      listArea,
      rows.length ? table('Tenants', ['Shortcode', 'Name', 'Guests', 'Anonymous', 'Created', ''], rows) : h('p', {}, 'No tenants yet.'),
      h('div', { className: 'row' }, previous, next),
    );
  }
  root.append(form, result, listArea);
  void attempt(result, null, () => loadPage(null));
}

async function renderTenant({ api, root, selectTenant }: PageContext, shortcode: string): Promise<void> {
  const result = resultArea();
  root.append(h('p', {}, h('a', { href: '#/tenants' }, '← All tenants')), result);
  let tenant: AdminTenant;
  try {
    tenant = await api.getTenant(shortcode);
  } catch (error) {
    return void attempt(result, null, () => Promise.reject(error));
  }
  await selectTenant(tenant.shortcode);

  const name = input({ name: 'name', value: tenant.name, required: true });
  const loginUrl = input({ type: 'url', name: 'loginUrl', value: tenant.loginUrl ?? '' });
  const guestAccess = input({ type: 'checkbox', name: 'guestAccess', checked: tenant.guestAccess });
  const anonymousAccess = input({ type: 'checkbox', name: 'anonymousAccess', checked: tenant.anonymousAccess });
  const save = h('button', { type: 'submit' }, 'Save settings');
  const settings = h(
    'form',
    { className: 'card', attrs: { 'aria-label': 'Tenant settings' } },
    h('h2', {}, `Settings of ${tenant.shortcode}`),
    h('p', {}, `Issuer: ${tenant.issuer} · signing algorithm ${tenant.signingAlg} · created ${formatTime(tenant.createdAt)}`),
    h('div', { className: 'grid' }, field('Name', name), field('Login URL', loginUrl, 'Empty removes it')),
    h('div', { className: 'row' }, field('Guest access', guestAccess), field('Anonymous access', anonymousAccess)),
    save,
  );
  settings.onsubmit = (event) => {
    event.preventDefault();
    void attempt(result, save, async () => {
      tenant = await api.updateTenant(tenant.shortcode, {
        name: name.value.trim(),
        loginUrl: loginUrl.value.trim() || null,
        guestAccess: guestAccess.checked,
        anonymousAccess: anonymousAccess.checked,
      });
      showMessage(result, `Saved ${tenant.shortcode}: guest access ${tenant.guestAccess ? 'on' : 'off'}, anonymous access ${tenant.anonymousAccess ? 'on' : 'off'}.`);
    });
  };

  // The role matrix as a grid: one checkbox per role and permission.
  const boxes = new Map<string, HTMLInputElement>();
  const matrixTable = h(
    'table',
    { className: 'matrix' },
    h('caption', {}, 'Permissions of each role'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Role'), ...PERMISSIONS.map((p) => h('th', { scope: 'col' }, h('code', {}, p))))),
    h(
      'tbody',
      {},
      ...ROLES.map((role) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, role),
          ...PERMISSIONS.map((permission) => {
            const box = input({ type: 'checkbox', checked: tenant.roleMatrix[role].includes(permission), attrs: { 'aria-label': `${role} ${permission}` } });
            boxes.set(`${role} ${permission}`, box);
            return h('td', {}, box);
          }),
        ),
      ),
    ),
  );
  const setBoxes = (matrix: Readonly<Record<Role, readonly Permission[]>>) => {
    for (const role of ROLES) for (const permission of PERMISSIONS) boxes.get(`${role} ${permission}`)!.checked = matrix[role].includes(permission);
  };
  const saveMatrix = button('Save role matrix', () =>
    attempt(result, saveMatrix, async () => {
      const roleMatrix = Object.fromEntries(ROLES.map((role) => [role, PERMISSIONS.filter((p) => boxes.get(`${role} ${p}`)!.checked)])) as Record<Role, Permission[]>;
      tenant = await api.updateTenant(tenant.shortcode, { roleMatrix });
      setBoxes(tenant.roleMatrix);
      showMessage(result, `Role matrix of ${tenant.shortcode} saved; every replica applies it within a second.`);
    }),
  );
  const restore = button('Restore the default matrix', () =>
    attempt(result, restore, async () => {
      tenant = await api.updateTenant(tenant.shortcode, { roleMatrix: null });
      setBoxes(tenant.roleMatrix ?? DEFAULT_ROLE_MATRIX);
      showMessage(result, `Role matrix of ${tenant.shortcode} restored to the default.`);
    }),
  );
  const matrix = h('section', { className: 'card', attrs: { 'aria-label': 'Role matrix' } }, h('h2', {}, 'Role matrix'), h('div', { className: 'table-wrap' }, matrixTable), h('div', { className: 'row' }, saveMatrix, restore));

  // Claim profiles sign with the tenant's own credentials for each platform; roomkey never shows them again.
  const PLATFORMS: Array<{ platform: MediaPlatform; label: string }> = [
    { platform: 'livekit', label: 'LiveKit' },
    { platform: 'getstream', label: 'GetStream' },
    { platform: 'videosdk', label: 'VideoSDK' },
  ];
  const platforms = h(
    'section',
    { className: 'card', attrs: { 'aria-label': 'Media platforms' } },
    h('h2', {}, 'Media platforms'),
    h('p', {}, 'The API key and secret of each platform, for tokens in its profile (token workbench). Stored sealed; never shown again.'),
    h(
      'div',
      { className: 'grid' },
      ...PLATFORMS.map(({ platform, label }) => {
        const key = input({ name: `${platform}-apiKey`, autocomplete: 'off', spellcheck: false });
        const secret = input({ type: 'password', name: `${platform}-apiSecret`, autocomplete: 'off' });
        const save = h('button', { type: 'submit' }, `Save ${label}`);
        const remove = button(
          `Remove ${label}`,
          () => {
            if (!confirm(`Remove the ${label} credentials of ${tenant.shortcode}? Its ${label} profile is refused from then on.`)) return;
            return attempt(result, remove, async () => {
              await api.removeMediaPlatform(tenant.shortcode, platform);
              showMessage(result, `${label} credentials of ${tenant.shortcode} removed.`);
            });
          },
          { className: 'danger' },
        );
        const form = h('form', { attrs: { 'aria-label': `${label} credentials` } }, h('h3', {}, label), field(`${label} API key`, key), field(`${label} API secret`, secret), h('div', { className: 'row' }, save, remove));
        form.onsubmit = (event) => {
          event.preventDefault();
          void attempt(result, save, async () => {
            await api.putMediaPlatform(tenant.shortcode, platform, { apiKey: key.value.trim(), apiSecret: secret.value });
            form.reset();
            showMessage(result, `${label} credentials of ${tenant.shortcode} saved: the ${label} profile signs with them.`);
          });
        };
        return form;
      }),
    ),
  );

  const remove = button(
    `Delete ${tenant.shortcode}`,
    () => {
      if (!confirm(`Delete tenant ${tenant.shortcode}? Every key and client is revoked and the shortcode cannot be reused for a day.`)) return;
      return attempt(result, remove, async () => {
        await api.deleteTenant(tenant.shortcode);
        session.setTenant(undefined);
        location.hash = '#/tenants';
      });
    },
    { className: 'danger' },
  );
  root.append(settings, matrix, platforms, h('section', { className: 'card', attrs: { 'aria-label': 'Danger zone' } }, h('h2', {}, 'Delete'), remove));
}
