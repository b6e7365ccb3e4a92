import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { ActionIdSchema } from '../../../protocol/action.js';
import type { LiveEvent } from '../../../protocol/api.js';
import { eventActionId, eventKey } from '../../events/event-hub.js';
import { parseWith, queryObject } from '../request.js';
import type { Route } from '../router.js';
import type { ApiServices } from '../services.js';

const EventsQuery = z.strictObject({ actionId: ActionIdSchema.optional() });

export interface SseTiming {
  /** Events wait this long so a burst (10,000 commands at launch) goes out in few writes. */
  batchMs: number;
  /** Comment lines keep proxies and idle timers from closing a quiet stream. */
  pingMs: number;
}

export const DEFAULT_SSE_TIMING: SseTiming = { batchMs: 50, pingMs: 15_000 };

/**
 * GET /events: LiveEvents as Server-Sent Events, `data: <json>\n\n` each. While a batch waits,
 * a newer event for the same action, command or agent replaces the older one, so a slow reader
 * costs memory per object, not per change. With `?actionId=` only that action and its
 * commands are sent, starting with the action's current record.
 */
export function eventRoutes(s: ApiServices, timing: SseTiming = DEFAULT_SSE_TIMING): Route[] {
  return [
    {
      method: 'GET',
      path: '/events',
      access: 'investigator',
      handle: async (ctx) => {
        const { actionId } = parseWith(EventsQuery, queryObject(ctx.url), 'query');
        ctx.res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        ctx.res.flushHeaders();
        const stream = new SseStream(ctx.res, timing);
        const current = actionId === undefined ? undefined : await s.store.getAction(actionId);
        if (current !== undefined) stream.push({ type: 'action', action: current });
        const unsubscribe = s.events.subscribe((event) => {
          if (actionId === undefined || eventActionId(event) === actionId) stream.push(event);
        });
        ctx.res.once('close', () => {
          unsubscribe();
          stream.stop();
        });
        return undefined;
      },
    },
  ];
}

class SseStream {
  private pending = new Map<string, LiveEvent>();
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly pingTimer: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    private readonly timing: SseTiming,
  ) {
    this.pingTimer = setInterval(() => res.write(': ping\n\n'), timing.pingMs);
    this.pingTimer.unref();
  }

  push(event: LiveEvent): void {
    const key = eventKey(event);
    // Re-insert so the map keeps the order of the latest change.
    this.pending.delete(key);
    this.pending.set(key, event);
    this.batchTimer ??= setTimeout(() => this.flush(), this.timing.batchMs);
  }

  private flush(): void {
    this.batchTimer = undefined;
    const events = [...this.pending.values()];
    this.pending = new Map();
    if (events.length > 0 && !this.res.writableEnded)
      this.res.write(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join(''));
  }

  stop(): void {
    clearTimeout(this.batchTimer);
    clearInterval(this.pingTimer);
    this.pending.clear();
  }
}
