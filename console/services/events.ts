import { LiveEventSchema, type LiveEvent } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import type { ApiClient } from './api-client.js';
import { unreachable } from './api-errors.js';

/** One event's data may not grow past this: the stream is hostile like every answer. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/**
 * Incremental Server-Sent Events parser (the subset the server speaks): `data:` lines are
 * joined with newlines and dispatched at a blank line; comments (`: ping`) and other fields
 * are ignored. CRLF, LF and CR line ends are all accepted, split anywhere across chunks.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private dataChars = 0;

  /** Feeds a chunk; returns the data of every event it completed. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const events: string[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone CR at the end may be the first half of CRLF: wait for the next chunk.
      if (match === null || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const done = this.line(line);
      if (done !== undefined) events.push(done);
    }
    if (this.buffer.length + this.dataChars > MAX_EVENT_CHARS) {
      throw new UserError('INTERNAL', `event stream: an event is over ${MAX_EVENT_CHARS} characters`);
    }
    return events;
  }

  private line(line: string): string | undefined {
    if (line === '') {
      if (this.data.length === 0) return undefined;
      const event = this.data.join('\n');
      this.data = [];
      this.dataChars = 0;
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return undefined;
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    this.data.push(value);
    this.dataChars += value.length;
    return undefined;
  }
}

/** Parses one event's data; a bad one is reported and skipped, never trusted. */
export function parseLiveEvent(data: string): LiveEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch (err) {
    throw new UserError('INTERNAL', 'event stream: an event is not JSON', undefined, { cause: err });
  }
  const parsed = LiveEventSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError('INTERNAL', `event stream: bad event: ${describeIssues(parsed.error).slice(0, 300)}`);
  return parsed.data;
}

export interface FollowEventsOptions {
  client: Pick<ApiClient, 'url' | 'authHeader' | 'serverUrl'>;
  /** Only this action's events (the server filters). */
  actionId?: string;
  signal: AbortSignal;
  onEvent(event: LiveEvent): void;
  /** A failed connection or a bad event; the stream keeps going (reconnecting) regardless. */
  onError?(err: UserError): void;
  onOpen?(): void;
  backoff?: { initialMs: number; maxMs: number };
}

/**
 * Follows GET /events until `signal` aborts, reconnecting with exponential back-off whenever
 * the connection fails or ends. Every connection signs a new token. Resolves on abort.
 */
export async function followEvents(opts: FollowEventsOptions): Promise<void> {
  const { initialMs, maxMs } = opts.backoff ?? { initialMs: 250, maxMs: 10_000 };
  let delayMs = initialMs;
  while (!opts.signal.aborted) {
    let hasOpened = false;
    try {
      await streamOnce(opts, () => {
        hasOpened = true;
        delayMs = initialMs;
        opts.onOpen?.();
      });
    } catch (err) {
      if (opts.signal.aborted) break;
      opts.onError?.(err instanceof UserError ? err : unreachable(opts.client.serverUrl, err));
    }
    if (!hasOpened) delayMs = Math.min(maxMs, delayMs * 2);
    await sleep(delayMs, opts.signal);
  }
}

async function streamOnce(opts: FollowEventsOptions, opened: () => void): Promise<void> {
  const url = opts.client.url('/events', { actionId: opts.actionId });
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', authorization: await opts.client.authHeader() },
    signal: opts.signal,
  });
  if (!res.ok || res.body === null) {
    await res.body?.cancel();
    throw new UserError('INTERNAL', `event stream: HTTP ${res.status} from ${opts.client.serverUrl}`);
  }
  opened();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    for (const data of parser.push(decoder.decode(chunk, { stream: true }))) {
      try {
        opts.onEvent(parseLiveEvent(data));
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        opts.onError?.(err);
      }
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
