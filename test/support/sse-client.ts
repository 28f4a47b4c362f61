/**
 * A Server-Sent Events reader for tests: `fetch` with any headers (Authorization, Last-Event-ID),
 * the events parsed as they arrive (id, event, data, comments), closed by aborting the request.
 */
export interface ReceivedEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseConnection {
  status: number;
  headers: Headers;
  /** The body when the answer is not a stream (an error in the contract's JSON). */
  body?: any;
  events: ReceivedEvent[];
  comments: string[];
  retry?: number;
  /** Resolves with the first event (already received or to come) that matches, or rejects after timeoutMs. */
  next(match: (event: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  close(): void;
  closed: Promise<void>;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseConnection> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const connection: SseConnection = {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    close: () => abort.abort(),
    closed: Promise.resolve(),
    async next(match, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; received ${JSON.stringify(events.map((e) => e.event))}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.add(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const text = await response.text();
    try {
      connection.body = JSON.parse(text);
    } catch {
      connection.body = text;
    }
    return connection;
  }
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  connection.closed = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: ReceivedEvent = { event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) event.id = line.slice(4);
            else if (line.startsWith('event: ')) event.event = line.slice(7);
            else if (line.startsWith('data: ')) {
              event.data += (hasData ? '\n' : '') + line.slice(6);
              hasData = true;
            } else if (line.startsWith('retry: ')) connection.retry = Number(line.slice(7));
          }
          if (hasData) events.push(event);
          for (const wake of [...waiters]) wake();
          waiters.clear();
        }
      }
    } catch {
      // aborted
    }
  })();
  return connection;
}
