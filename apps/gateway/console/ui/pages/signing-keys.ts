/** Signing keys of the current tenant: their states, rotate now, revoke a compromised key. */
import { button, formatTime, h, replaceChildren, table } from '../dom';
import type { PageContext, PageDefinition } from '../page';
import { attempt, resultArea, showMessage } from '../widgets';

export const signingKeysPage: PageDefinition = { path: 'signing-keys', title: 'Signing keys', needsTenant: true, render };

function render({ api, root, tenant }: PageContext & { tenant: string }): void {
  const result = resultArea();
  const rotate = button('Rotate now', () =>
    attempt(result, rotate, async () => {
      const active = await api.rotateSigningKeys(tenant);
      showMessage(result, `Rotated: ${active.kid} is now the active key.`);
      await load();
    }),
  );
  const listArea = h('section', { attrs: { 'aria-label': 'Signing key list' } });
  async function load(): Promise<void> {
    const { items } = await api.listSigningKeys(tenant);
    const rows = items.map((key) => {
      const revoke = button(
        'Revoke (compromised)',
        () => {
          if (!confirm(`Revoke signing key ${key.kid}? It leaves the JWKS at once and every token it signed stops verifying.${key.state === 'active' ? ' The active key is rotated out first.' : ''}`)) return;
          return attempt(result, revoke, async () => {
            const revoked = await api.revokeSigningKey(tenant, key.kid);
            showMessage(result, `${revoked.kid} revoked.`);
            await load();
          });
        },
        { className: 'danger', attrs: { 'aria-label': `Revoke ${key.kid}` } },
      );
      return [h('code', {}, key.kid), key.alg, h('span', { className: `state state-${key.state}` }, key.state), formatTime(key.createdAt), key.state === 'retired' || key.state === 'revoked' ? null : revoke];
    });
    replaceChildren(listArea, table(`Signing keys of ${tenant}`, ['Key id (kid)', 'Algorithm', 'State', 'Created', 'Actions'], rows));
  }
  root.append(
    h(
      'section',
      { className: 'card', attrs: { 'aria-label': 'Rotation' } },
      h('p', {}, 'Rotating makes the next key active, the active key retiring (it stays in the JWKS until every token it signed has expired) and creates a fresh next key.'),
      rotate,
    ),
    result,
    listArea,
  );
  void attempt(result, null, load);
}
