import type pg from 'pg';
import type { ActionRecord, LiveEvent } from '../../protocol/api.js';
import { LiveRelay, type LiveReader } from './postgres-live.js';
import { actionOf, agentOf, type ActionRow } from './postgres-rows.js';
import type { FleetStore, StoredAgent } from './store.js';

/**
 * How far back each poll of changed agents reads again before its cursor. A row's updated_at
 * is its transaction's start; a write that started before a poll and committed after it
 * carries a time below that poll's cursor, so the next poll must look back. Writes are single
 * statements of milliseconds: seconds are plenty. Merging a row seen twice changes nothing.
 */
const AGENT_POLL_OVERLAP_MS = 5000;

/** What the live-events relay needs besides the pool: its own connection (LISTEN holds one). */
export interface LiveSource {
  url: string;
  getCommands: LiveReader['getCommands'];
  log: (msg: string) => void;
}

/**
 * Leases, action ownership and agent changes on PostgreSQL: what lets several servers share
 * one fleet (see FleetStore in store.ts). Lease times are the database's clock, so servers
 * whose clocks disagree still agree on who is alive.
 */
export class PostgresFleet implements FleetStore {
  constructor(
    private readonly pool: pg.Pool,
    readonly serverId: string,
    private readonly live: LiveSource,
  ) {}

  relayLiveEvents(emit: (event: LiveEvent) => void): Promise<{ close(): Promise<void> }> {
    const { url, getCommands, log } = this.live;
    const reader: LiveReader = {
      getCommands,
      actionsWritten: (ids) => this.actionsWritten(ids),
      openActions: async () => {
        const { rows } = await this.pool.query<ActionRow>(
          `SELECT record, counters FROM mig_actions WHERE status IN ('pending', 'inflight') ORDER BY created_at, seq`,
        );
        return rows.map(actionOf);
      },
    };
    return LiveRelay.start({ url, log, reader, serverId: this.serverId, emit });
  }

  /** These actions as the database has them now (no batched overlay): what another server's notice names. */
  private async actionsWritten(ids: readonly string[]): Promise<ActionRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<ActionRow>(
      'SELECT record, counters FROM mig_actions WHERE id = ANY($1::text[]) ORDER BY created_at, seq',
      [ids],
    );
    return rows.map(actionOf);
  }

  async renewLease(leaseMs: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO mig_servers (id, lease_until, renewed_at) VALUES ($1, now() + $2 * interval '1 millisecond', now())
       ON CONFLICT (id) DO UPDATE SET lease_until = EXCLUDED.lease_until, renewed_at = EXCLUDED.renewed_at`,
      [this.serverId, leaseMs],
    );
  }

  async releaseLease(): Promise<void> {
    await this.pool.query('UPDATE mig_servers SET lease_until = now() WHERE id = $1', [this.serverId]);
  }

  async claimDeadServers(): Promise<string[]> {
    // A server that died, came back (a later lease_until) and died again is swept again.
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE mig_servers SET swept_at = now()
       WHERE id <> $1 AND lease_until <= now() AND (swept_at IS NULL OR swept_at < lease_until)
       RETURNING id`,
      [this.serverId],
    );
    return rows.map((r) => r.id);
  }

  async claimLaunch(actionId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE mig_actions a SET launched_by = $2
       WHERE a.id = $1 AND (a.launched_by IS NULL OR a.launched_by = $2
         OR NOT EXISTS (SELECT 1 FROM mig_servers s WHERE s.id = a.launched_by AND s.lease_until > now()))`,
      [actionId, this.serverId],
    );
    return (rowCount ?? 0) > 0;
  }

  async publishPolicy(version: number, text: string): Promise<void> {
    await this.pool.query('INSERT INTO mig_policies (version, text) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING', [
      version,
      text,
    ]);
  }

  async policiesAfter(afterVersion: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ text: string }>(
      'SELECT text FROM mig_policies WHERE version > $1 ORDER BY version',
      [afterVersion],
    );
    return rows.map((r) => r.text);
  }

  async agentsChangedSince(cursor: string | undefined): Promise<{ agents: StoredAgent[]; cursor: string }> {
    const { rows } = await this.pool.query<{ record: string; read_at: Date }>(
      cursor === undefined
        ? 'SELECT record, now() AS read_at FROM mig_agents'
        : `SELECT record, now() AS read_at FROM mig_agents WHERE updated_at > $1::timestamptz - $2 * interval '1 millisecond'`,
      cursor === undefined ? [] : [cursor, AGENT_POLL_OVERLAP_MS],
    );
    const readAt =
      rows[0]?.read_at ?? (await this.pool.query<{ now: Date }>('SELECT now()')).rows[0]?.now ?? new Date();
    return { agents: rows.map(agentOf), cursor: readAt.toISOString() };
  }

  async claimOpenActions(): Promise<Array<{ record: ActionRecord; isTakenOver: boolean }>> {
    // One statement: two servers claiming at once serialise on the rows; the second sees the
    // first's live lease on re-check and takes nothing.
    const { rows } = await this.pool.query<ActionRow & { is_taken_over: boolean }>(
      `WITH taken AS (
         UPDATE mig_actions a SET owner = $1
         WHERE a.status IN ('pending', 'inflight') AND a.owner IS DISTINCT FROM $1
           AND NOT EXISTS (SELECT 1 FROM mig_servers s WHERE s.id = a.owner AND s.lease_until > now())
         RETURNING a.record, a.counters, a.created_at, a.seq
       )
       SELECT record, counters, is_taken_over FROM (
         SELECT record, counters, created_at, seq, false AS is_taken_over FROM mig_actions WHERE status IN ('pending', 'inflight') AND owner = $1
         UNION ALL
         SELECT record, counters, created_at, seq, true AS is_taken_over FROM taken
       ) open ORDER BY created_at, seq`,
      [this.serverId],
    );
    return rows.map((row) => ({ record: actionOf(row), isTakenOver: row.is_taken_over }));
  }
}
