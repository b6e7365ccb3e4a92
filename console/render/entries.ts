import type { CommandRecord } from '../../protocol/api.js';
import type { WireError } from '../../protocol/errors.js';

export type ShowFilter = 'found' | 'notfound' | 'all';

/**
 * One thing a renderer prints, whatever the format: a result row, an agent that found nothing,
 * an agent that found something but sent no rows, or an error. The JSON formats emit it as is.
 */
export interface RenderEntry {
  agent: string;
  agentId: string;
  status: CommandRecord['status'];
  found: boolean;
  /** The operation's module; undefined for a command that failed before any operation ran. */
  module: string | undefined;
  row: Readonly<Record<string, unknown>> | null;
  error?: WireError;
}

const STATUS_MESSAGES: Readonly<Record<string, string>> = {
  failed: 'the agent refused or failed the command',
  timeout: 'the agent did not answer in time',
  expired: 'the action expired before the agent answered',
  cancelled: 'the command was cancelled',
};

function failedEntry(cmd: CommandRecord): RenderEntry {
  const error = cmd.error ?? { code: cmd.status.toUpperCase(), message: STATUS_MESSAGES[cmd.status] ?? cmd.status };
  return { agent: cmd.agentName, agentId: cmd.agentId, status: cmd.status, found: false, module: undefined, row: null, error };
}

function successEntries(cmd: CommandRecord, defaultModule: string, show: ShowFilter): RenderEntry[] {
  const base = { agent: cmd.agentName, agentId: cmd.agentId, status: cmd.status };
  const operations = cmd.operations ?? [];
  const isFound = cmd.isFound === true;
  const entries: RenderEntry[] = [];
  if (isFound && show !== 'notfound') {
    for (const op of operations) {
      for (const row of op.rows) entries.push({ ...base, found: true, module: op.module, row });
    }
    // The agent said "found" but sent no rows (capped or privacy-filtered): still say so.
    if (entries.length === 0) entries.push({ ...base, found: true, module: defaultModule, row: null });
  }
  if (!isFound && show !== 'found') entries.push({ ...base, found: false, module: defaultModule, row: null });
  if (show === 'all') {
    for (const op of operations) {
      if (op.error !== undefined) entries.push({ ...base, found: false, module: op.module, row: null, error: op.error });
    }
  }
  return entries;
}

/**
 * What to print for one terminal command under a show filter: found rows, a not-found line, and
 * with `all` also failures (failed, timeout, expired, cancelled) and failed operations.
 */
export function commandEntries(cmd: CommandRecord, defaultModule: string, show: ShowFilter): RenderEntry[] {
  if (cmd.status === 'success') return successEntries(cmd, defaultModule, show);
  return show === 'all' ? [failedEntry(cmd)] : [];
}
