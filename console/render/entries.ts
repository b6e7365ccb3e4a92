import type { CommandRecord } from '../../protocol/api.js';
import type { WireError } from '../../protocol/errors.js';
import type { OperationResult } from '../../protocol/messages.js';

export type ShowFilter = 'found' | 'notfound' | 'all';

/** What checking an answer's agent signature said (only with `mig action results --verify`). */
export type Verification = 'verified' | 'unsigned' | 'bad';

/**
 * One thing a renderer prints, whatever the format: a result row, an agent that found nothing,
 * an agent that found something but sent no rows, or an error. The JSON formats emit it as is.
 */
export interface RenderEntry {
  agent: string;
  agentId: string;
  status: CommandRecord['status'];
  /** Whether the operation this entry belongs to found what it looked for. */
  found: boolean;
  /** The operation's module; undefined for a command that failed before any operation ran. */
  module: string | undefined;
  row: Readonly<Record<string, unknown>> | null;
  error?: WireError;
  /**
   * The operation's non-fatal problems (unreadable files, a missing search root, truncation):
   * carried once per operation answer, on its first entry, so a big answer does not repeat them.
   */
  warnings?: string[];
  verification?: Verification;
}

export interface EntryOptions {
  show: ShowFilter;
  /**
   * Machine formats must carry every warning even when the filter hides the answer it came
   * with: they get an entry of its own then. Text prints warnings on stderr instead.
   */
  isWarningCarried: boolean;
}

const STATUS_MESSAGES: Readonly<Record<string, string>> = {
  failed: 'the agent refused or failed the command',
  timeout: 'the agent did not answer in time',
  expired: 'the action expired before the agent answered',
  cancelled: 'the command was cancelled',
};

type Base = Pick<RenderEntry, 'agent' | 'agentId' | 'status'>;

function failedEntry(cmd: CommandRecord): RenderEntry {
  const error = cmd.error ?? { code: cmd.status.toUpperCase(), message: STATUS_MESSAGES[cmd.status] ?? cmd.status };
  return {
    agent: cmd.agentName,
    agentId: cmd.agentId,
    status: cmd.status,
    found: false,
    module: undefined,
    row: null,
    error,
  };
}

function isShown(show: ShowFilter, isFound: boolean): boolean {
  return show === 'all' || (show === 'found') === isFound;
}

/**
 * One operation's answer: its rows (found or not: a failed scribe test and a refused ping are
 * rows too), else a found/nothing-found line, and with `all` its error.
 */
function operationEntries(base: Base, op: OperationResult, opts: EntryOptions): RenderEntry[] {
  const entries: RenderEntry[] = [];
  const common = { ...base, found: op.isFound, module: op.module };
  if (op.error !== undefined && opts.show === 'all')
    entries.push({ ...common, found: false, row: null, error: op.error });
  if (isShown(opts.show, op.isFound)) {
    for (const row of op.rows) entries.push({ ...common, row });
    // No rows: still say what the answer was (found but capped or filtered, or nothing found).
    if (op.rows.length === 0 && op.error === undefined) entries.push({ ...common, row: null });
  }
  if (op.errors.length > 0) {
    const [first] = entries;
    if (first !== undefined) first.warnings = [...op.errors];
    else if (opts.isWarningCarried) entries.push({ ...common, row: null, warnings: [...op.errors] });
  }
  return entries;
}

/**
 * What to print for one terminal command under a show filter: each operation's entries, and
 * with `all` also why a command failed (failed, timeout, expired, cancelled) first.
 */
export function commandEntries(cmd: CommandRecord, defaultModule: string, opts: EntryOptions): RenderEntry[] {
  const base: Base = { agent: cmd.agentName, agentId: cmd.agentId, status: cmd.status };
  const entries: RenderEntry[] = [];
  if (cmd.status !== 'success' && opts.show === 'all') entries.push(failedEntry(cmd));
  const operations = cmd.operations ?? [];
  if (cmd.status === 'success' && operations.length === 0) {
    // An answer with no operation results: only the command's own verdict is known.
    const isFound = cmd.isFound === true;
    if (isShown(opts.show, isFound)) entries.push({ ...base, found: isFound, module: defaultModule, row: null });
  }
  for (const op of operations) entries.push(...operationEntries(base, op, opts));
  return entries;
}
