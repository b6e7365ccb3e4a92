import type pg from 'pg';
import { UserError } from '../../protocol/errors.js';

/**
 * The PostgreSQL schema, as numbered migrations applied in order at start. Several servers may
 * start at once on one database: the migration runs in one transaction under an advisory lock,
 * so exactly one applies each step and the others see it done. Never edit a released step:
 * add the next one.
 *
 * Records are kept whole as JSON text (`record`), as the lowdb files keep them: text, not jsonb,
 * because jsonb refuses `\u0000`, which an agent's result may carry. The columns beside it are
 * what queries filter and sort on.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE mig_actions (
    id          text PRIMARY KEY,
    seq         bigserial NOT NULL,
    created_at  timestamptz NOT NULL,
    status      text NOT NULL,
    record      text NOT NULL,
    -- The counters, derived from mig_commands whenever the action is written (see saveAction).
    counters    text NOT NULL
  );
  CREATE INDEX mig_actions_newest ON mig_actions (created_at DESC, seq DESC);
  CREATE INDEX mig_actions_status ON mig_actions (status, created_at DESC, seq DESC);

  CREATE TABLE mig_commands (
    id          text PRIMARY KEY,
    action_id   text NOT NULL REFERENCES mig_actions (id),
    agent_id    text NOT NULL,
    agent_name  text NOT NULL,
    status      text NOT NULL,
    is_terminal boolean NOT NULL,
    is_found    boolean NOT NULL,
    is_sent     boolean NOT NULL,
    created_at  timestamptz NOT NULL,
    record      text NOT NULL
  );
  CREATE INDEX mig_commands_by_action ON mig_commands (action_id, agent_name, agent_id);
  CREATE INDEX mig_commands_open_by_agent ON mig_commands (agent_id, created_at) WHERE NOT is_terminal;

  CREATE TABLE mig_investigators (
    fingerprint text PRIMARY KEY,
    record      text NOT NULL
  );

  CREATE TABLE mig_agents (
    id          text PRIMARY KEY,
    record      text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
  );
  `,
  // Several servers on one fleet (postgres-fleet.ts): who owns each open action, each server's
  // lease, and the agents changed since a poll.
  `
  ALTER TABLE mig_actions ADD COLUMN owner text;
  -- The server that turned it into commands (claimLaunch): never two.
  ALTER TABLE mig_actions ADD COLUMN launched_by text;
  CREATE TABLE mig_servers (
    id          text PRIMARY KEY,
    lease_until timestamptz NOT NULL,
    renewed_at  timestamptz NOT NULL,
    -- When a live server last cleaned up after this one's death (claimDeadServers).
    swept_at    timestamptz
  );
  CREATE INDEX mig_agents_changed ON mig_agents (updated_at);
  -- store.ts agentRank: what an upsert compares so that the newest record stays.
  ALTER TABLE mig_agents ADD COLUMN rank text NOT NULL DEFAULT '';
  -- Published policy bundles, the exact text admins signed (policy/policy-service.ts).
  CREATE TABLE mig_policies (
    version      integer PRIMARY KEY,
    text         text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now()
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** An arbitrary constant: the advisory lock every mig server takes to migrate. */
const MIGRATION_LOCK = 0x6d69_6731;

/** Brings the database to SCHEMA_VERSION; a no-op when it is there already. */
export async function migrate(pool: pg.Pool, log: (msg: string) => void): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS mig_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM mig_schema');
    const current = rows[0]?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new UserError(
        'CONFIG_INVALID',
        `the database's mig schema is version ${current}, newer than this server's ${SCHEMA_VERSION}`,
        'run the same mig version on every server of a fleet',
      );
    }
    for (let version = current + 1; version <= SCHEMA_VERSION; version += 1) {
      await client.query(MIGRATIONS[version - 1] ?? '');
      await client.query('INSERT INTO mig_schema (version) VALUES ($1)', [version]);
      log(`store: database schema migrated to version ${version}`);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
