import pg from 'pg';
import { z } from 'zod';
import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import type { ActionRecord, CommandRecord, LiveEvent } from '../../protocol/api.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { FINAL_ACTION_STATUSES } from './store.js';

/**
 * Live events across the servers sharing one PostgreSQL store. Every write of a command or an
 * action also notifies (pg_notify, in the same statement, so at commit and only for rows really
 * written) on LIVE_CHANNEL with a small payload: the writing server's id and the ids written.
 * Each server listens on its own connection, skips its own notifications (its scheduler has
 * emitted those events already), reads the rows the others wrote and emits them as its own
 * events, so a console on any server follows a hunt whichever server launched it or stored its
 * results.
 *
 * A notification missed (the listening connection lost for a while) is not replayed: once
 * listening again the relay emits the open actions as they stand (current counters), not every
 * command written meanwhile; `mig` commands following an action poll as well.
 */
export const LIVE_CHANNEL = 'mig_live';

/**
 * Ids per notification. PostgreSQL refuses a payload of 8,000 bytes or more: 80 ids of at most
 * 64 characters (action ids; command ids have 32) plus the server id stay well under it.
 */
export const IDS_PER_NOTICE = 80;

/** An id as the store writes them: hex of 32 to 64 characters (commands 32, actions 32 to 64). */
const RowIdSchema = z.string().regex(/^[0-9a-f]{32,64}$/);

/** What every notification carries; anything else on the channel is logged and dropped. */
export const LiveNoticeSchema = z.strictObject({
  /** The writing server's id (its lease id). */
  s: z.string().min(1).max(200),
  /** c: commands; a: actions; f: actions written with a final status (see LiveRelay.readGathered). */
  k: z.enum(['c', 'a', 'f']),
  ids: z.array(RowIdSchema).min(1).max(IDS_PER_NOTICE),
});
export type LiveNotice = z.infer<typeof LiveNoticeSchema>;

/**
 * SQL that notifies the ids in `cte` (a WITH query returning `id`, and `status` for actions),
 * IDS_PER_NOTICE per notification, as a further WITH query named `notified`. `$server` is the
 * parameter holding this server's id. Actions go as 'f' when written with a final status, else 'a'.
 */
export function notifySql(cte: string, kind: 'commands' | 'actions', server: string): string {
  const kindOf =
    kind === 'commands'
      ? `'c'`
      : `CASE WHEN status IN (${FINAL_ACTION_STATUSES.map((s) => `'${s}'`).join(', ')}) THEN 'f' ELSE 'a' END`;
  return `notified AS (
    SELECT pg_notify('${LIVE_CHANNEL}', json_build_object('s', ${server}::text, 'k', k, 'ids', json_agg(id))::text)
    FROM (
      SELECT id, k, (row_number() OVER (PARTITION BY k) - 1) / ${IDS_PER_NOTICE} AS chunk
      FROM (SELECT id, ${kindOf} AS k FROM ${cte}) kinded
    ) numbered
    GROUP BY k, chunk
  )`;
}

/** How the relay reads what other servers wrote. */
export interface LiveReader {
  getCommands(ids: readonly string[]): Promise<ReadonlyMap<string, CommandRecord>>;
  actionsWritten(ids: readonly string[]): Promise<ActionRecord[]>;
  /** Pending and inflight actions, read after listening again. */
  openActions(): Promise<ActionRecord[]>;
}

export interface LiveRelayOptions {
  // Alike on purpose (duplicates): an options interface of fields and callbacks; modules/sniffer/tcpdump.ts's options
  // for a tcpdump child share only that TypeScript shape.
  url: string;
  serverId: string;
  reader: LiveReader;
  emit: (event: LiveEvent) => void;
  log: (msg: string) => void;
  /** Notifications arriving within this are read together (default 20 ms). */
  gatherMs?: number;
  /** First wait before listening again after the connection dropped; doubles up to 30 s (default 500 ms). */
  retryMs?: number;
}

const MAX_RETRY_MS = 30_000;

/**
 * Finished commands remembered so each is emitted finished once. Rows are read when the notice
 * arrives, not when it was sent: a launch's notice read after an answer landed already shows the
 * answer, and the answer's own notice follows. A finished command never changes (first result
 * wins), so only the last few thousand need remembering: the read lag is short.
 */
const FINISHED_REMEMBERED = 20_000;

/** Listens on LIVE_CHANNEL and turns other servers' notifications into local events. */
export class LiveRelay {
  private client: pg.Client | undefined;
  private readonly commandIds = new Set<string>();
  private readonly actionIds = new Set<string>();
  /** Ids of finished commands already emitted, oldest first. */
  private readonly finished = new Set<string>();
  /** Ids of actions whose final write's notice ('f') is gathered for the next read. */
  private readonly finalIds = new Set<string>();
  /** Ids of actions whose final write's notice was gathered for a read already, oldest first. */
  private readonly finalNoticed = new Set<string>();
  private gatherTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private isClosed = false;
  private hasListened = false;
  private retryMs: number;

  private constructor(private readonly opts: LiveRelayOptions) {
    this.retryMs = opts.retryMs ?? 500;
  }

  /** Listening once the promise resolves; a first failure is logged and retried like a later one. */
  static async start(opts: LiveRelayOptions): Promise<LiveRelay> {
    const relay = new LiveRelay(opts);
    await relay.listen().catch((err: unknown) => relay.failed(err));
    return relay;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.url });
    client.on('notification', (msg) => {
      if (msg.channel === LIVE_CHANNEL) this.take(msg.payload ?? '');
    });
    // Only a connection that was listening schedules the next attempt here; one lost while
    // connecting fails the attempt below, which schedules it: never two listeners.
    // Declared wide (`as`): the handlers change it behind the compiler's narrowing.
    let state = 'connecting' as 'connecting' | 'listening' | 'lost';
    const lost = (why: string): void => {
      const wasListening = state === 'listening';
      state = 'lost';
      if (!wasListening || this.isClosed) return;
      this.opts.log(`events: lost the live-events connection to the store (${why}); listening again`);
      client.end().catch(() => undefined);
      this.client = undefined;
      this.retry();
    };
    client.on('error', (err) => lost(err.message));
    client.on('end', () => lost('connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
      if (state === 'lost') throw new Error('the connection dropped as it started listening');
    } catch (err) {
      state = 'lost';
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.isClosed) {
      await client.end().catch(() => undefined);
      return;
    }
    state = 'listening';
    this.client = client;
    this.retryMs = this.opts.retryMs ?? 500;
    if (this.hasListened) this.catchUp();
    this.hasListened = true;
  }

  /**
   * After listening again: notices sent meanwhile are gone, so the open actions are emitted as
   * they stand, and streams following them show current counters again.
   */
  private catchUp(): void {
    this.reading = this.reading.then(async () => {
      try {
        for (const action of await this.opts.reader.openActions()) this.opts.emit({ type: 'action', action });
      } catch (err) {
        this.opts.log(`events: reading the open actions after listening again failed: ${(err as Error).message}`);
      }
    });
  }

  private retry(): void {
    if (this.isClosed) return;
    this.retryTimer = setTimeout(() => void this.listen().catch((err: unknown) => this.failed(err)), this.retryMs);
    this.retryTimer.unref();
  }

  private failed(err: unknown): void {
    this.opts.log(`events: listening for other servers' events failed: ${(err as Error).message}`);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retry();
  }

  /** One notification's payload: hostile until parsed. */
  private take(payload: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(payload);
    } catch {
      this.opts.log(`events: dropped a notification that is not JSON: ${payload.slice(0, 120)}`);
      return;
    }
    const parsed = LiveNoticeSchema.safeParse(raw);
    if (!parsed.success) {
      this.opts.log(`events: dropped a bad notification: ${describeIssues(parsed.error).slice(0, 300)}`);
      return;
    }
    // Our own writes: the scheduler emitted their events when it made them.
    if (parsed.data.s === this.opts.serverId) return;
    const into = parsed.data.k === 'c' ? this.commandIds : this.actionIds;
    for (const id of parsed.data.ids) into.add(id);
    if (parsed.data.k === 'f') for (const id of parsed.data.ids) this.finalIds.add(id);
    this.gatherTimer ??= setTimeout(() => this.readGathered(), this.opts.gatherMs ?? 20);
  }

  /**
   * Reads what was gathered, one read at a time, and emits commands before actions (as the
   * scheduler emits). A stream never shows an action finished ahead of its results. A server
   * writes an action's final status only after the results that caused it, but rows are read
   * when notices arrive, not when they were sent:
   * - actions are read before commands, so a result and the completion committed between the
   *   two reads show in both;
   * - an action read final before its final write's notice ('f') has arrived is held back: the
   *   notices of the results committed before that write have not all arrived either. Its 'f'
   *   notice follows them (commit order), and the read it brings emits the action after them.
   *   A final action this server wrote itself never gets an 'f' notice here: its scheduler
   *   emitted it.
   */
  private readGathered(): void {
    this.gatherTimer = undefined;
    const commandIds = [...this.commandIds];
    const actionIds = [...this.actionIds];
    this.commandIds.clear();
    this.actionIds.clear();
    const finalIds = [...this.finalIds];
    this.finalIds.clear();
    this.reading = this.reading.then(async () => {
      if (this.isClosed) return;
      // Only now, in read order: notices taken while an earlier batch is read belong to a later one.
      for (const id of finalIds) remember(this.finalNoticed, id);
      try {
        const actions = await this.opts.reader.actionsWritten(actionIds);
        const commands = await this.opts.reader.getCommands(commandIds);
        for (const command of commands.values()) if (this.isNews(command)) this.opts.emit({ type: 'command', command });
        for (const action of actions)
          if (!FINAL_ACTION_STATUSES.includes(action.status) || this.finalNoticed.has(action.action.id))
            this.opts.emit({ type: 'action', action });
      } catch (err) {
        this.opts.log(`events: reading other servers' changes failed: ${(err as Error).message}`);
      }
    });
  }

  /** False for a finished command already emitted finished. */
  private isNews(command: CommandRecord): boolean {
    if (!TERMINAL_COMMAND_STATUSES.has(command.status)) return true;
    if (this.finished.has(command.id)) return false;
    remember(this.finished, command.id);
    return true;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.gatherTimer);
    clearTimeout(this.retryTimer);
    await this.reading;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}

/** Adds `id` to a set kept to FINISHED_REMEMBERED entries, oldest dropped first. */
function remember(ids: Set<string>, id: string): void {
  ids.add(id);
  if (ids.size > FINISHED_REMEMBERED) ids.delete(ids.values().next().value ?? '');
}
