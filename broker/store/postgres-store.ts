import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ActionRecord, CommandRecord, InvestigatorRecord } from '../../protocol/api.js';
import { BugError, UserError } from '../../protocol/errors.js';
import { DEFAULT_FLUSH_MS } from './batched-file.js';
import {
  actionOf,
  agentOf,
  redact,
  byKey,
  commandColumns,
  commandOf,
  DERIVED_COUNTERS_SQL,
  investigatorOf,
  type ActionRow,
} from './postgres-rows.js';
import { PostgresFleet } from './postgres-fleet.js';
import { notifySql } from './postgres-live.js';
import { migrate } from './postgres-schema.js';
import {
  FINAL_ACTION_STATUSES,
  agentRank,
  type ActionQuery,
  type CommandQuery,
  type Durability,
  type Store,
  type StoredAgent,
} from './store.js';

export interface PostgresStoreOptions {
  /** postgres://user[:password]@host[:port]/database */
  url: string;
  /** Longest a batched change (counters, agents) waits before it is written (default 200 ms). */
  flushMs?: number;
  /** Connections kept at most (default 10). */
  poolSize?: number;
  /** This server's id among those sharing the database (default: a random one per process). */
  serverId?: string;
  log?: (msg: string) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

const ACTION_COLUMNS = 'record, counters';

/**
 * The Store on PostgreSQL, for several servers sharing one fleet. Nothing is cached: every read
 * asks the database, so what another server wrote is seen at once, except this server's own
 * batched changes not yet written, which reads overlay (read-your-writes).
 *
 * What stays right with several writers:
 * - a command, once terminal, is never replaced (first result wins, in the upsert's WHERE);
 * - an action's counters are derived from its commands in the statement that writes the action,
 *   so two servers counting the same action cannot lose or double a result;
 * - an action in a final status (completed, expired, cancelled, invalid) keeps it: a late write
 *   of another status from another server is dropped (its counters still refresh);
 * - a group of results is one multi-row upsert (group commit keeps one statement per group);
 * - each write of commands or actions notifies the other servers' event streams (postgres-live.ts).
 */
export class PostgresStore implements Store {
  private isClosed = false;
  private readonly pendingActions = new Map<string, ActionRecord>();
  private readonly pendingAgents = new Map<string, StoredAgent>();
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Action and agent writes of this server, in order: a batched write never lands after a later one. */
  private tail: Promise<void> = Promise.resolve();
  readonly fleet: PostgresFleet;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly flushMs: number,
    private readonly log: (msg: string) => void,
    serverId: string,
    url: string,
  ) {
    this.fleet = new PostgresFleet(pool, serverId, { url, getCommands: (ids) => this.getCommands(ids), log });
  }

  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const log = opts.log ?? (() => undefined);
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle connection dropped by the database must not crash the server: the next query reconnects.
    pool.on('error', (err) => log(`store: database connection lost: ${err.message}`));
    try {
      await migrate(pool, log);
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof UserError) throw err;
      throw new UserError(
        'CONFIG_INVALID',
        `cannot open the PostgreSQL store ${redact(opts.url)}: ${(err as Error).message}`,
        'check --store: postgres://user@host:port/database, and that the database exists and accepts this user',
      );
    }
    return new PostgresStore(
      pool,
      opts.flushMs ?? DEFAULT_FLUSH_MS,
      log,
      opts.serverId ?? `mig-server-${randomUUID()}`,
      opts.url,
    );
  }

  private check(): void {
    if (this.isClosed) throw new BugError('store used after close');
  }

  async createAction(record: ActionRecord): Promise<void> {
    this.check();
    const { rows } = await this.pool.query<{ written: number }>(
      // The creating server owns it: it alone arms its timers until its lease runs out (postgres-fleet.ts).
      `WITH written AS (
         INSERT INTO mig_actions (id, created_at, status, record, counters, owner) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id, status
       ), ${notifySql('written', 'actions', '$6')}
       SELECT (SELECT count(*) FROM written)::int AS written, (SELECT count(*) FROM notified)::int AS notices`,
      [
        record.action.id,
        record.createdAt,
        record.status,
        JSON.stringify(record),
        JSON.stringify(record.counters),
        this.fleet.serverId,
      ],
    );
    if ((rows[0]?.written ?? 0) === 0)
      throw new UserError(
        'CONFLICT',
        `action ${record.action.id} already exists`,
        'sign a new action: ids are single-use',
      );
  }

  saveAction(record: ActionRecord, durability: Durability = 'now'): Promise<void> {
    this.check();
    if (durability === 'batched') {
      this.pendingActions.set(record.action.id, record);
      return this.later();
    }
    // This record supersedes any batched one of the same action.
    this.pendingActions.delete(record.action.id);
    return this.enqueue(async () => {
      const written = await this.writeActions([record]);
      if (written === 0) throw new UserError('NOT_FOUND', `no action ${record.action.id}`);
    });
  }

  async getAction(id: string): Promise<ActionRecord | undefined> {
    const pending = this.pendingActions.get(id);
    if (pending !== undefined) return pending;
    const { rows } = await this.pool.query<ActionRow>(`SELECT ${ACTION_COLUMNS} FROM mig_actions WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : actionOf(rows[0]);
  }

  async listActions(query: ActionQuery): Promise<{ actions: ActionRecord[]; total: number }> {
    const where = query.status === undefined ? '' : 'WHERE status = $3';
    const params: unknown[] = [query.limit, query.offset, ...(query.status === undefined ? [] : [query.status])];
    const [page, count] = await Promise.all([
      this.pool.query<ActionRow>(
        `SELECT ${ACTION_COLUMNS} FROM mig_actions ${where} ORDER BY created_at DESC, seq DESC LIMIT $1 OFFSET $2`,
        params,
      ),
      this.pool.query<{ total: string }>(
        `SELECT count(*) AS total FROM mig_actions ${where.replace('$3', '$1')}`,
        params.slice(2),
      ),
    ]);
    return { actions: page.rows.map((row) => this.overlaid(actionOf(row))), total: Number(count.rows[0]?.total ?? 0) };
  }

  async openActions(): Promise<ActionRecord[]> {
    const { rows } = await this.pool.query<ActionRow>(
      `SELECT ${ACTION_COLUMNS} FROM mig_actions WHERE status IN ('pending', 'inflight') ORDER BY created_at, seq`,
    );
    return rows.map((row) => this.overlaid(actionOf(row)));
  }

  private overlaid(record: ActionRecord): ActionRecord {
    return this.pendingActions.get(record.action.id) ?? record;
  }

  async saveCommands(commands: readonly CommandRecord[]): Promise<void> {
    this.check();
    if (commands.length === 0) return;
    try {
      // One statement for the whole group: what group commit in wire/ relies on.
      await this.pool.query(
        `WITH written AS (
           INSERT INTO mig_commands (id, action_id, agent_id, agent_name, status, is_terminal, is_found, is_sent, created_at, record)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::boolean[], $8::boolean[], $9::timestamptz[], $10::text[])
           ON CONFLICT (id) DO UPDATE SET
             agent_name = EXCLUDED.agent_name, status = EXCLUDED.status, is_terminal = EXCLUDED.is_terminal,
             is_found = EXCLUDED.is_found, is_sent = EXCLUDED.is_sent, record = EXCLUDED.record
           WHERE NOT mig_commands.is_terminal
           RETURNING id
         ), ${notifySql('written', 'commands', '$11')}
         SELECT count(*)::int AS notices FROM notified`,
        [...commandColumns(commands), this.fleet.serverId],
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23503') {
        throw new UserError(
          'NOT_FOUND',
          `a command names an unknown action (${[...new Set(commands.map((c) => c.actionId))].join(', ')})`,
        );
      }
      throw err;
    }
  }

  async getCommand(id: string): Promise<CommandRecord | undefined> {
    const { rows } = await this.pool.query<{ record: string }>('SELECT record FROM mig_commands WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : commandOf(rows[0]);
  }

  async getCommands(ids: readonly string[]): Promise<ReadonlyMap<string, CommandRecord>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<{ record: string }>(
      'SELECT record FROM mig_commands WHERE id = ANY($1::text[])',
      [ids],
    );
    return new Map(
      rows.map((row) => {
        const cmd = commandOf(row);
        return [cmd.id, cmd] as const;
      }),
    );
  }

  async commandsOf(actionId: string): Promise<CommandRecord[]> {
    const { rows } = await this.pool.query<{ record: string }>(
      'SELECT record FROM mig_commands WHERE action_id = $1 ORDER BY created_at, id',
      [actionId],
    );
    return rows.map(commandOf);
  }

  async listCommands(actionId: string, query: CommandQuery): Promise<{ commands: CommandRecord[]; total: number }> {
    const filter = query.found === undefined ? '' : query.found ? 'AND is_found' : 'AND is_terminal AND NOT is_found';
    const [page, count] = await Promise.all([
      // Byte order ("C"), the same on every server whatever the database's locale, so pages do not shift.
      this.pool.query<{ record: string }>(
        `SELECT record FROM mig_commands WHERE action_id = $1 ${filter} ORDER BY agent_name COLLATE "C", agent_id COLLATE "C" LIMIT $2 OFFSET $3`,
        [actionId, query.limit, query.offset],
      ),
      this.pool.query<{ total: string }>(`SELECT count(*) AS total FROM mig_commands WHERE action_id = $1 ${filter}`, [
        actionId,
      ]),
    ]);
    return { commands: page.rows.map(commandOf), total: Number(count.rows[0]?.total ?? 0) };
  }

  async openCommandsFor(agentId: string): Promise<CommandRecord[]> {
    const { rows } = await this.pool.query<{ record: string }>(
      'SELECT record FROM mig_commands WHERE agent_id = $1 AND NOT is_terminal ORDER BY created_at, id',
      [agentId],
    );
    return rows.map(commandOf);
  }

  foundAgents(actionId: string): Promise<ReadonlySet<string> | undefined> {
    return this.agentsWhere(actionId, 'c.is_found');
  }

  notFoundAgents(actionId: string): Promise<ReadonlySet<string> | undefined> {
    return this.agentsWhere(actionId, 'c.is_terminal AND NOT c.is_found');
  }

  /** No row: unknown action; one row with a null agent: known, nobody matches. */
  private async agentsWhere(actionId: string, condition: string): Promise<ReadonlySet<string> | undefined> {
    const { rows } = await this.pool.query<{ agent_id: string | null }>(
      `SELECT c.agent_id FROM mig_actions a LEFT JOIN mig_commands c ON c.action_id = a.id AND ${condition} WHERE a.id = $1`,
      [actionId],
    );
    if (rows.length === 0) return undefined;
    return new Set(rows.flatMap((r) => (r.agent_id === null ? [] : [r.agent_id])));
  }

  async listInvestigators(): Promise<InvestigatorRecord[]> {
    const { rows } = await this.pool.query<{ record: string }>(
      'SELECT record FROM mig_investigators ORDER BY fingerprint',
    );
    return rows.map(investigatorOf);
  }

  async saveInvestigator(record: InvestigatorRecord): Promise<void> {
    this.check();
    await this.pool.query(
      'INSERT INTO mig_investigators (fingerprint, record) VALUES ($1, $2) ON CONFLICT (fingerprint) DO UPDATE SET record = EXCLUDED.record',
      [record.fingerprint, JSON.stringify(record)],
    );
  }

  async listAgents(): Promise<StoredAgent[]> {
    const { rows } = await this.pool.query<{ id: string; record: string }>(
      'SELECT id, record FROM mig_agents ORDER BY id',
    );
    const agents = new Map(rows.map((row) => [row.id, agentOf(row)]));
    for (const [id, agent] of this.pendingAgents) agents.set(id, agent);
    return [...agents.values()];
  }

  saveAgent(agent: StoredAgent): Promise<void> {
    this.check();
    this.pendingAgents.set(agent.id, agent);
    return this.later();
  }

  /** A promise for the next flush, which a timer starts within flushMs. */
  private later(): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    promise.catch(() => undefined);
    // A failed write keeps its records pending: the next batched save, flush or close tries them again.
    this.timer ??= setTimeout(
      () =>
        void this.flush().catch((err: unknown) => this.log(`store: batched write failed: ${(err as Error).message}`)),
      this.flushMs,
    );
    return promise;
  }

  /** Writes the batched actions and agents now, each kind as one statement. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const actions = [...this.pendingActions.values()];
    const agents = [...this.pendingAgents.values()];
    const waiters = this.waiters.splice(0);
    const write = this.enqueue(async () => {
      if (actions.length > 0) await this.writeActions(actions);
      if (agents.length > 0) await this.writeAgents(agents);
      // Reads overlay pending records until they are written; forget only those not replaced since.
      for (const a of actions) if (this.pendingActions.get(a.action.id) === a) this.pendingActions.delete(a.action.id);
      for (const a of agents) if (this.pendingAgents.get(a.id) === a) this.pendingAgents.delete(a.id);
    });
    write.then(
      () => waiters.forEach((w) => w.resolve()),
      (err: unknown) => waiters.forEach((w) => w.reject(err)),
    );
    return write;
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    try {
      await this.flush();
    } finally {
      this.isClosed = true;
      await this.pool.end();
    }
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** One UPDATE for all: record and status unless a final status would be undone; counters derived. Returns rows written. */
  private async writeActions(unordered: readonly ActionRecord[]): Promise<number> {
    const records = [...unordered].sort((a, b) => byKey(a.action.id, b.action.id));
    const { rows } = await this.pool.query<{ written: number }>(
      `WITH written AS (UPDATE mig_actions a SET
         status = CASE WHEN a.status = ANY($4::text[]) AND u.status <> a.status THEN a.status ELSE u.status END,
         record = CASE WHEN a.status = ANY($4::text[]) AND u.status <> a.status THEN a.record ELSE u.record END,
         counters = ${DERIVED_COUNTERS_SQL}
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, status, record)
       WHERE a.id = u.id
       RETURNING a.id, a.status
       ), ${notifySql('written', 'actions', '$5')}
       SELECT (SELECT count(*) FROM written)::int AS written, (SELECT count(*) FROM notified)::int AS notices`,
      [
        records.map((r) => r.action.id),
        records.map((r) => r.status),
        records.map((r) => JSON.stringify(r)),
        FINAL_ACTION_STATUSES,
        this.fleet.serverId,
      ],
    );
    return rows[0]?.written ?? 0;
  }

  /**
   * Newest wins, as registry/merge.ts decides in memory: a record replaces the stored one unless
   * that one holds a later admin decision, or the same decision and a later heartbeat. So a
   * server that missed another's heartbeats, or an accept, cannot write its older view back.
   */
  private async writeAgents(unordered: readonly StoredAgent[]): Promise<void> {
    const agents = [...unordered].sort((a, b) => byKey(a.id, b.id));
    await this.pool.query(
      `INSERT INTO mig_agents (id, record, rank, updated_at) SELECT u.id, u.record, u.rank, now() FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, record, rank)
       ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, rank = EXCLUDED.rank, updated_at = now()
       WHERE EXCLUDED.rank COLLATE "C" >= mig_agents.rank COLLATE "C"`,
      [agents.map((a) => a.id), agents.map((a) => JSON.stringify(a)), agents.map(agentRank)],
    );
  }
}
