/**
 * Live events of the current tenant, newest first: the history from the JSON list, then every new
 * event from the admin SSE feed (same path, `Accept: text/event-stream`), resumed with
 * `Last-Event-ID` after a drop. A gateway without the feed is polled instead, and says so.
 */
import { EVENT_TYPES } from '../../../../../libs/contracts/events';
import { RoomkeyError, type TenantEvent } from '../api';
import { button, field, formatTime, h, replaceChildren, select } from '../dom';
import type { PageContext, PageDefinition } from '../page';
import { attempt, resultArea } from '../widgets';

export const eventsPage: PageDefinition = { path: 'events', title: 'Live events', needsTenant: true, render };

const ENVELOPE = new Set(['id', 'type', 'time', 'actor', 'tenant', 'occurredAt']);
const POLL_MS = 2000;
const MAX_SHOWN = 500;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Newer first, by when they happened (ISO 8601 UTC sorts as text). */
const newerFirst = (a: TenantEvent, b: TenantEvent) => String(b.time).localeCompare(String(a.time));

function details(event: TenantEvent): string {
  return Object.entries(event)
    .filter(([name]) => !ENVELOPE.has(name))
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

function render({ api, root, tenant, signal }: PageContext & { tenant: string }): void {
  const result = resultArea();
  const typeFilter = select([{ value: '', label: 'Every type' }, ...EVENT_TYPES], { name: 'type' });
  const liveState = h('p', { className: 'live-state', attrs: { role: 'status', 'aria-live': 'polite' } }, 'Connecting…');
  const body = h('tbody');
  const eventTable = h(
    'table',
    { className: 'events' },
    h('caption', {}, `Events of ${tenant}, newest first`),
    h('thead', {}, h('tr', {}, ...['Time', 'Type', 'Actor', 'Details'].map((text) => h('th', { scope: 'col' }, text)))),
    body,
  );
  // Announces each new live event (the table itself is not a live region: history would flood it).
  const announcer = h('div', { className: 'visually-hidden', attrs: { role: 'log', 'aria-live': 'polite' } });
  const older = button('Load older events', () => attempt(result, older, loadOlder));
  older.hidden = true;

  // Keyed by the event's own id, so the list and the stream never show one twice.
  const events = new Map<string, TenantEvent>();
  /** The stream's position (its last frame id) for Last-Event-ID; unknown until a frame arrives. */
  let streamPosition: string | undefined;
  let nextCursor: string | null = null;

  const matches = (event: TenantEvent) => !typeFilter.value || event.type === typeFilter.value;
  function draw(): void {
    const shown = [...events.values()].filter(matches).sort(newerFirst).slice(0, MAX_SHOWN);
    replaceChildren(
      body,
      ...shown.map((event) =>
        h('tr', { className: `event event-${event.type.replace(/[^a-z0-9-]/g, '-')}` }, h('td', {}, formatTime(event.time)), h('th', { scope: 'row' }, h('code', {}, event.type)), h('td', {}, event.actor ?? '—'), h('td', {}, details(event))),
      ),
    );
    if (shown.length === 0) body.append(h('tr', {}, h('td', { colSpan: 4 }, 'No events yet.')));
  }
  function add(event: TenantEvent, live: boolean): void {
    if (events.has(event.id)) return;
    events.set(event.id, event);
    if (live && matches(event)) announcer.textContent = `New event: ${event.type}${event.actor ? ` by ${event.actor}` : ''}`;
  }

  async function loadFirst(): Promise<void> {
    const page = await api.listEvents(tenant, { type: typeFilter.value || undefined });
    for (const event of page.items) add(event, false);
    nextCursor = page.nextCursor;
    older.hidden = nextCursor === null;
    draw();
  }
  async function loadOlder(): Promise<void> {
    if (!nextCursor) return;
    const page = await api.listEvents(tenant, { type: typeFilter.value || undefined, cursor: nextCursor });
    for (const event of page.items) add(event, false);
    nextCursor = page.nextCursor;
    older.hidden = nextCursor === null;
    draw();
  }

  async function follow(): Promise<void> {
    let backoff = 1000;
    while (!signal.aborted) {
      try {
        const resumed = streamPosition !== undefined;
        streamPosition =
          (await api.followEvents(tenant, {
            lastEventId: streamPosition,
            signal,
            onOpen: () => {
              backoff = 1000;
              liveState.textContent = 'Live: following the event stream.';
              // A fresh stream starts with new events: anything between the list and now comes from the list.
              if (!resumed) void catchUp();
            },
            onEvent: (event, frameId) => {
              if (frameId !== undefined) streamPosition = frameId;
              add(event, true);
              draw();
            },
          })) ?? streamPosition;
        if (!signal.aborted) liveState.textContent = 'The stream ended; reconnecting…';
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof RoomkeyError && error.code === 'not_streaming') return poll();
        if (error instanceof RoomkeyError && (error.status === 401 || error.status === 403 || error.status === 404)) {
          liveState.textContent = `Live events stopped: ${error.message}`;
          return;
        }
        liveState.textContent = `Disconnected; reconnecting in ${Math.round(backoff / 1000)} s…`;
      }
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 15000);
    }
  }
  /** Adds what the first page of the list has and the page does not. */
  async function catchUp(): Promise<void> {
    try {
      const page = await api.listEvents(tenant, {});
      const fresh = page.items.filter((event) => !events.has(event.id));
      for (const event of fresh.reverse()) add(event, true);
      if (fresh.length) draw();
    } catch {
      // the stream or the next poll brings them
    }
  }
  /** For a gateway that answers the feed's path only with JSON pages. */
  async function poll(): Promise<void> {
    liveState.textContent = `Live: this gateway has no event stream; checking for new events every ${POLL_MS / 1000} s.`;
    while (!signal.aborted) {
      await sleep(POLL_MS, signal);
      if (!signal.aborted) await catchUp();
    }
  }

  typeFilter.onchange = () => {
    events.clear();
    void attempt(result, null, loadFirst);
  };
  root.append(
    h('div', { className: 'row' }, field('Type', typeFilter), liveState),
    result,
    h('div', { className: 'table-wrap' }, eventTable),
    older,
    announcer,
  );
  void attempt(result, null, async () => {
    await loadFirst();
    void follow();
  });
}
