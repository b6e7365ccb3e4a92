import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import { emptyCounters, type CommandRecord, type Counters } from '../../protocol/api.js';

export { emptyCounters };

/**
 * Adds (sign 1) or takes away (sign -1) what one command counts for, in place. In place, and
 * without a Counters object per command: results arrive by the thousand per round, and two
 * throwaway objects per result were measurable garbage.
 */
function tally(counters: Counters, cmd: CommandRecord, sign: 1 | -1): void {
  counters.targeted += sign;
  if (cmd.sentAt !== undefined) counters.sent += sign;
  if (TERMINAL_COMMAND_STATUSES.has(cmd.status)) {
    counters.done += sign;
    if (cmd.status !== 'sent') counters[cmd.status] += sign;
  }
  if (cmd.isFound === true) counters.found += sign;
}

/** A command as it was (undefined: new) and as it is now. */
export interface CommandChange {
  before: CommandRecord | undefined;
  after: CommandRecord;
}

/** Counters after some commands changed: one new object, O(1) per change. */
export function applyChanges(counters: Counters, changes: Iterable<CommandChange>): Counters {
  const next = { ...counters };
  for (const { before, after } of changes) {
    if (before !== undefined) tally(next, before, -1);
    tally(next, after, 1);
  }
  return next;
}

/** Counters from scratch, for recovery: the commands are the truth, the stored counters a cache. */
export function countersOf(commands: readonly CommandRecord[]): Counters {
  const counters = emptyCounters();
  for (const cmd of commands) tally(counters, cmd, 1);
  return counters;
}

export function isAllDone(counters: Counters): boolean {
  return counters.done === counters.targeted;
}
