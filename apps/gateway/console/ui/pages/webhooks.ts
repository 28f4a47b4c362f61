/** Webhooks of the current tenant and their deliveries (signed per Standard Webhooks). */
import { EVENT_TYPES, type EventType } from '../../../../../libs/contracts/events';
import type { WebhookView } from '../api';
import { button, field, formatTime, h, input, replaceChildren, table } from '../dom';
import type { PageContext, PageDefinition } from '../page';
import { attempt, resultArea, secretOnce, showMessage } from '../widgets';

export const webhooksPage: PageDefinition = { path: 'webhooks', title: 'Webhooks', needsTenant: true, render };

function render({ api, root, tenant }: PageContext & { tenant: string }): void {
  const result = resultArea();
  const url = input({ type: 'url', name: 'url', required: true, autocomplete: 'off' });
  const boxes = EVENT_TYPES.map((type) => input({ type: 'checkbox', name: 'events', value: type, checked: type === 'token.revoked' }));
  const create = h('button', { type: 'submit' }, 'Create webhook');
  const form = h(
    'form',
    { className: 'card', attrs: { 'aria-label': 'Create a webhook' } },
    h('h2', {}, 'Create a webhook'),
    field('Endpoint URL', url, 'https; roomkey POSTs each event here, signed with the secret (Standard Webhooks), retrying for 24 h'),
    h('fieldset', {}, h('legend', {}, 'Events'), h('div', { className: 'checks' }, ...boxes.map((box) => field(box.value, box)))),
    create,
  );
  form.onsubmit = (event) => {
    event.preventDefault();
    void attempt(result, create, async () => {
      const created = await api.createWebhook(tenant, { url: url.value.trim(), events: boxes.filter((b) => b.checked).map((b) => b.value as EventType) });
      replaceChildren(result, h('p', { className: 'ok' }, `Webhook ${created.id} created.`), created.secret ? secretOnce('Signing secret', created.secret) : null);
      await load();
    });
  };

  const deliveriesArea = h('section', { attrs: { 'aria-label': 'Deliveries' } });
  const listArea = h('section', { attrs: { 'aria-label': 'Webhook list' } });
  async function showDeliveries(hook: WebhookView): Promise<void> {
    const { items } = await api.listDeliveries(tenant, hook.id);
    const rows = items.map((d) => [
      h('code', {}, d.id),
      d.type,
      h('span', { className: `delivery-${d.state}` }, d.state),
      String(d.attempts),
      d.lastStatus === null ? '—' : String(d.lastStatus),
      formatTime(d.lastAttemptAt),
      d.state === 'pending' ? formatTime(d.nextAttemptAt) : '—',
      d.lastError ?? '—',
    ]);
    replaceChildren(
      deliveriesArea,
      h('h2', {}, `Deliveries of ${hook.id}`),
      rows.length
        ? table(`Deliveries to ${hook.url}, newest first`, ['Delivery id', 'Event', 'State', 'Attempts', 'Last status', 'Last attempt', 'Next attempt', 'Last error'], rows)
        : h('p', {}, 'No deliveries yet.'),
    );
  }
  async function load(): Promise<void> {
    const { items } = await api.listWebhooks(tenant);
    const rows = items.map((hook) => {
      const remove = button(
        'Delete',
        () => {
          if (!confirm(`Delete the webhook to ${hook.url}?`)) return;
          return attempt(result, remove, async () => {
            await api.deleteWebhook(tenant, hook.id);
            showMessage(result, `Webhook ${hook.id} deleted.`);
            await load();
          });
        },
        { className: 'danger', attrs: { 'aria-label': `Delete webhook ${hook.id}` } },
      );
      const deliveries = button('Deliveries', () => attempt(result, deliveries, () => showDeliveries(hook)), { attrs: { 'aria-label': `Deliveries of webhook ${hook.id}` } });
      return [h('code', {}, hook.id), hook.url, hook.events.join(', '), formatTime(hook.createdAt), h('div', { className: 'row' }, deliveries, remove)];
    });
    replaceChildren(listArea, rows.length ? table(`Webhooks of ${tenant}`, ['Id', 'URL', 'Events', 'Created', 'Actions'], rows) : h('p', {}, 'No webhooks yet.'));
  }
  root.append(form, result, listArea, deliveriesArea);
  void attempt(result, null, load);
}
