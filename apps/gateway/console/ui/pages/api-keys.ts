/** API keys of the current tenant: create (the secret shown once), rotate with a grace period, revoke. */
import type { Environment } from '../../../../../libs/contracts/claims';
import { button, field, formatTime, h, input, replaceChildren, select, table } from '../dom';
import type { PageContext, PageDefinition } from '../page';
import { secrets } from '../session';
import { attempt, resultArea, secretOnce, showMessage } from '../widgets';

// claims.ts itself pulls in server code; the type keeps this list in step with it.
const ENVIRONMENTS = ['production', 'development'] as const satisfies readonly Environment[];

export const apiKeysPage: PageDefinition = { path: 'api-keys', title: 'API keys', needsTenant: true, render };

function render({ api, root, tenant }: PageContext & { tenant: string }): void {
  const result = resultArea();
  const environment = select([...ENVIRONMENTS], { name: 'environment' });
  const name = input({ name: 'name', autocomplete: 'off' });
  const create = h('button', { type: 'submit' }, 'Create API key');
  const form = h(
    'form',
    { className: 'card', attrs: { 'aria-label': 'Create an API key' } },
    h('h2', {}, 'Create an API key'),
    h('div', { className: 'grid' }, field('Environment', environment, 'Development keys: tokens ≤ 1 hour, 1–10 rooms, no broadcast:manage'), field('Name (optional)', name)),
    create,
  );
  form.onsubmit = (event) => {
    event.preventDefault();
    void attempt(result, create, async () => {
      const created = await api.createApiKey(tenant, { environment: environment.value as Environment, ...(name.value.trim() ? { name: name.value.trim() } : {}) });
      secrets.set(created.apiKey, created.secret);
      form.reset();
      replaceChildren(
        result,
        h('p', { className: 'ok' }, `API key ${created.apiKey} (${created.environment}) created. `, h('a', { href: '#/workbench' }, 'Mint a token with it')),
        secretOnce('Secret', created.secret),
      );
      await load();
    });
  };

  const grace = input({ type: 'number', name: 'graceSeconds', value: '3600', attrs: { min: '0', max: '604800' } });
  const listArea = h('section', { attrs: { 'aria-label': 'API key list' } });
  async function load(): Promise<void> {
    const { items } = await api.listApiKeys(tenant);
    const rows = items.map((key) => {
      const active = key.revokedAt === null;
      const rotate = button(
        'Rotate',
        () =>
          attempt(result, rotate, async () => {
            const rotated = await api.rotateApiKey(tenant, key.apiKey, Number(grace.value || 0));
            secrets.set(rotated.apiKey, rotated.secret);
            replaceChildren(
              result,
              h('p', { className: 'ok' }, `New secret for ${rotated.apiKey}; the previous one works until ${formatTime(rotated.previousSecretValidUntil)}.`),
              secretOnce('Secret', rotated.secret),
            );
          }),
        { attrs: { 'aria-label': `Rotate ${key.apiKey}` } },
      );
      const revoke = button(
        'Revoke',
        () => {
          if (!confirm(`Revoke ${key.apiKey}? Every call with it fails from now on.`)) return;
          return attempt(result, revoke, async () => {
            await api.revokeApiKey(tenant, key.apiKey);
            secrets.delete(key.apiKey);
            showMessage(result, `${key.apiKey} revoked.`);
            await load();
          });
        },
        { className: 'danger', attrs: { 'aria-label': `Revoke ${key.apiKey}` } },
      );
      return [
        h('code', {}, key.apiKey),
        key.name ?? '—',
        key.environment,
        formatTime(key.createdAt),
        formatTime(key.lastUsedAt),
        active ? 'active' : `revoked ${formatTime(key.revokedAt)}`,
        active ? h('div', { className: 'row' }, rotate, revoke) : null,
      ];
    });
    replaceChildren(
      listArea,
      h('div', { className: 'row' }, field('Grace period when rotating (seconds)', grace, 'The previous secret keeps working this long (≤ 604800)')),
      rows.length ? table(`API keys of ${tenant}`, ['API key', 'Name', 'Environment', 'Created', 'Last used', 'State', 'Actions'], rows) : h('p', {}, 'No API keys yet.'),
    );
  }
  root.append(form, result, listArea);
  void attempt(result, null, load);
}
