import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import { emptyCounters, type CommandRecord, type Counters } from '../../protocol/api.js';

export { emptyCounters };

/** What one command adds to its action's counters. */
function contribution(cmd: CommandRecord): Counters {
  const c = emptyCounters();
  c.targeted = 1;
  c.sent = cmd.sentAt === undefined ? 0 : 1;
  if (TERMINAL_COMMAND_STATUSES.has(cmd.status)) {
    c.done = 1;
    if (cmd.status !== 'sent') c[cmd.status] = 1;
  }
  c.found = cmd.isFound === true ? 1 : 0;
  return c;
}

function add(a: Counters, b: Counters, sign: 1 | -1): Counters {
  const out = { ...a };
  for (const key of Object.keys(out) as (keyof Counters)[]) out[key] += sign * b[key];
  return out;
}

/** Counters after one command changed (`before` undefined for a new command): O(1) per result. */
export function applyChange(counters: Counters, before: CommandRecord | undefined, after: CommandRecord): Counters {
  const without = before === undefined ? counters : add(counters, contribution(before), -1);
  return add(without, contribution(after), 1);
}

/** Counters from scratch, for recovery: the commands are the truth, the stored counters a cache. */
export function countersOf(commands: readonly CommandRecord[]): Counters {
  return commands.reduce((acc, cmd) => add(acc, contribution(cmd), 1), emptyCounters());
}

export function isAllDone(counters: Counters): boolean {
  return counters.done === counters.targeted;
}
