/** OAuth clients of the current tenant: create (the secret shown once), edit, rotate the secret, revoke. */
import { GRANT_TYPES, type GrantType } from '../../../../../libs/contracts/oauth';
import type { ClientView } from '../api';
import { button, field, formatTime, h, input, replaceChildren, table } from '../dom';
import type { PageContext, PageDefinition } from '../page';
import { attempt, lines, resultArea, secretOnce, showMessage, splitList } from '../widgets';

export const clientsPage: PageDefinition = { path: 'clients', title: 'OAuth clients', needsTenant: true, render };

/** The fields create and edit share, filled from a client when editing. */
function clientFields(client?: ClientView) {
  const name = input({ name: 'name', value: client?.name ?? '', autocomplete: 'off' });
  const grants = new Map<GrantType, HTMLInputElement>(
    GRANT_TYPES.map((grant) => [grant, input({ type: 'checkbox', name: 'grantTypes', value: grant, checked: client ? client.grantTypes.includes(grant) : grant === 'client_credentials' })]),
  );
  const redirectUris = h('textarea', { name: 'redirectUris', rows: 2, value: client?.redirectUris.join('\n') ?? '' });
  const audiences = input({ name: 'audiences', value: client?.audiences.join(' ') ?? '', autocomplete: 'off' });
  const scopes = input({ name: 'scopes', value: client?.scopes.join(' ') ?? '', autocomplete: 'off' });
  const ttl = input({ type: 'number', name: 'accessTokenTtl', value: String(client?.accessTokenTtl ?? 7200), attrs: { min: '1', max: '57600' } });
  const view = h(
    'div',
    {},
    h('div', { className: 'grid' }, field('Name', name), field('Access token lifetime (seconds)', ttl, 'Default 7200, at most 57600')),
    h('fieldset', {}, h('legend', {}, 'Grant types'), h('div', { className: 'row' }, ...[...grants].map(([grant, box]) => field(grant, box)))),
    h(
      'div',
      { className: 'grid' },
      field('Redirect URIs (one a line)', redirectUris, 'Exact match; required for authorization_code'),
      field('Audiences (space-separated)', audiences, 'Default roomkey'),
      field('Scopes (space-separated)', scopes),
    ),
  );
  const values = () => ({
    ...(name.value.trim() ? { name: name.value.trim() } : {}),
    grantTypes: [...grants].filter(([, box]) => box.checked).map(([grant]) => grant),
    redirectUris: lines(redirectUris.value),
    ...(splitList(audiences.value).length ? { audiences: splitList(audiences.value) } : {}),
    scopes: splitList(scopes.value),
    accessTokenTtl: Number(ttl.value),
  });
  return { view, values };
}

function render({ api, root, tenant }: PageContext & { tenant: string }): void {
  const result = resultArea();
  const fields = clientFields();
  const isPublic = input({ type: 'checkbox', name: 'public' });
  const create = h('button', { type: 'submit' }, 'Create client');
  const form = h(
    'form',
    { className: 'card', attrs: { 'aria-label': 'Create an OAuth client' } },
    h('h2', {}, 'Create an OAuth client'),
    fields.view,
    field('Public client (no secret: authorization_code with PKCE and refresh_token only)', isPublic),
    create,
  );
  form.onsubmit = (event) => {
    event.preventDefault();
    void attempt(result, create, async () => {
      const created = await api.createClient(tenant, { ...fields.values(), public: isPublic.checked });
      replaceChildren(result, h('p', { className: 'ok' }, `Client ${created.clientId} created.`), created.clientSecret ? secretOnce('Client secret', created.clientSecret) : null);
      await load();
    });
  };

  const editArea = h('div');
  const grace = input({ type: 'number', name: 'graceSeconds', value: '3600', attrs: { min: '0', max: '604800' } });
  const listArea = h('section', { attrs: { 'aria-label': 'OAuth client list' } });

  function edit(client: ClientView): void {
    const editFields = clientFields(client);
    const save = h('button', { type: 'submit' }, 'Save client');
    const editForm = h('form', { className: 'card', attrs: { 'aria-label': `Edit ${client.clientId}` } }, h('h2', {}, `Edit ${client.clientId}`), editFields.view, save, button('Cancel', () => replaceChildren(editArea)));
    editForm.onsubmit = (event) => {
      event.preventDefault();
      void attempt(result, save, async () => {
        const updated = await api.updateClient(tenant, client.clientId, editFields.values());
        replaceChildren(editArea);
        showMessage(result, `Client ${updated.clientId} saved.`);
        await load();
      });
    };
    replaceChildren(editArea, editForm);
    editForm.querySelector('input')?.focus();
  }

  async function load(): Promise<void> {
    const { items } = await api.listClients(tenant);
    const rows = items.map((client) => {
      const active = client.revokedAt === null;
      const rotate = button(
        'Rotate secret',
        () =>
          attempt(result, rotate, async () => {
            const rotated = await api.rotateClientSecret(tenant, client.clientId, Number(grace.value || 0));
            replaceChildren(
              result,
              h('p', { className: 'ok' }, `New secret for ${rotated.clientId}; the previous one works until ${formatTime(rotated.previousSecretValidUntil)}.`),
              secretOnce('Client secret', rotated.clientSecret),
            );
          }),
        { attrs: { 'aria-label': `Rotate the secret of ${client.clientId}` } },
      );
      const revoke = button(
        'Revoke',
        () => {
          if (!confirm(`Revoke client ${client.clientId}?`)) return;
          return attempt(result, revoke, async () => {
            await api.revokeClient(tenant, client.clientId);
            showMessage(result, `${client.clientId} revoked.`);
            await load();
          });
        },
        { className: 'danger', attrs: { 'aria-label': `Revoke ${client.clientId}` } },
      );
      const actions = h(
        'div',
        { className: 'row' },
        button('Edit', () => edit(client), { attrs: { 'aria-label': `Edit ${client.clientId}` } }),
        client.public ? null : rotate,
        revoke,
      );
      return [
        h('code', {}, client.clientId),
        client.name ?? '—',
        client.public ? 'public' : 'confidential',
        client.grantTypes.join(', '),
        `${client.accessTokenTtl} s`,
        active ? 'active' : `revoked ${formatTime(client.revokedAt)}`,
        active ? actions : null,
      ];
    });
    replaceChildren(
      listArea,
      h('div', { className: 'row' }, field('Grace period when rotating a secret (seconds)', grace)),
      rows.length ? table(`OAuth clients of ${tenant}`, ['Client id', 'Name', 'Type', 'Grant types', 'Token lifetime', 'State', 'Actions'], rows) : h('p', {}, 'No OAuth clients yet.'),
    );
  }
  root.append(form, result, editArea, listArea);
  void attempt(result, null, load);
}
