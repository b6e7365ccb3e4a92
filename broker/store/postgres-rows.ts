import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import {
  ActionRecordSchema,
  CommandRecordSchema,
  CountersSchema,
  InvestigatorRecordSchema,
  type ActionRecord,
  type CommandRecord,
  type InvestigatorRecord,
} from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { StoredAgentSchema, type StoredAgent } from './store.js';
import type { z } from 'zod';

/**
 * Rows of the PostgreSQL store to records and back. The database is shared by every server of
 * a fleet and outlives versions, so what comes out of it is checked like any other input.
 */

export interface ActionRow {
  record: string;
  counters: string;
}

export function actionOf(row: ActionRow): ActionRecord {
  const record = parseRow(ActionRecordSchema, row.record, 'mig_actions.record');
  // The column is the truth: derived from the commands on every write (postgres-store.ts).
  return { ...record, counters: parseRow(CountersSchema, row.counters, 'mig_actions.counters') };
}

export function commandOf(row: { record: string }): CommandRecord {
  return parseRow(CommandRecordSchema, row.record, 'mig_commands.record');
}

export function investigatorOf(row: { record: string }): InvestigatorRecord {
  return parseRow(InvestigatorRecordSchema, row.record, 'mig_investigators.record');
}

export function agentOf(row: { record: string }): StoredAgent {
  return parseRow(StoredAgentSchema, row.record, 'mig_agents.record');
}

/**
 * The commands as one multi-row upsert's column arrays. Within one call the last record of an
 * id wins, except that a terminal record is never replaced (first result wins, as in the table).
 */
export function commandColumns(commands: readonly CommandRecord[]): unknown[] {
  const byId = new Map<string, CommandRecord>();
  for (const cmd of commands) {
    const earlier = byId.get(cmd.id);
    if (earlier !== undefined && TERMINAL_COMMAND_STATUSES.has(earlier.status)) continue;
    byId.set(cmd.id, cmd);
  }
  // Rows in id order: two servers upserting overlapping groups lock them in the same order, so they never deadlock.
  const rows = [...byId.values()].sort((a, b) => byKey(a.id, b.id));
  return [
    rows.map((c) => c.id),
    rows.map((c) => c.actionId),
    rows.map((c) => c.agentId),
    rows.map((c) => c.agentName),
    rows.map((c) => c.status),
    rows.map((c) => TERMINAL_COMMAND_STATUSES.has(c.status)),
    rows.map((c) => c.isFound === true),
    rows.map((c) => c.sentAt !== undefined),
    rows.map((c) => c.createdAt),
    rows.map((c) => JSON.stringify(c)),
  ];
}

/** SQL computing an action's counters (as JSON text) from its commands; `a` is the action row. */
export const DERIVED_COUNTERS_SQL = `(
  SELECT json_build_object(
    'targeted', count(*),
    'sent', count(*) FILTER (WHERE c.is_sent),
    'success', count(*) FILTER (WHERE c.status = 'success'),
    'failed', count(*) FILTER (WHERE c.status = 'failed'),
    'timeout', count(*) FILTER (WHERE c.status = 'timeout'),
    'expired', count(*) FILTER (WHERE c.status = 'expired'),
    'cancelled', count(*) FILTER (WHERE c.status = 'cancelled'),
    'done', count(*) FILTER (WHERE c.is_terminal),
    'found', count(*) FILTER (WHERE c.is_found)
  )::text
  FROM mig_commands c WHERE c.action_id = a.id
)`;

export function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseRow<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(
      'CONFIG_INVALID',
      `${what} holds invalid JSON: ${(err as Error).message}`,
      'restore the database from a backup',
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new UserError(
      'CONFIG_INVALID',
      `${what} is not valid: ${describeIssues(parsed.error)}`,
      'restore the database from a backup',
    );
  return parsed.data;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
