import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import type { ActionRecord, CommandRecord } from '../../protocol/api.js';
import { emitAll, type SchedulerContext } from './context.js';
import { countersOf } from './counters.js';

/**
 * Ends an action early: every command still `sent` becomes `status` (expired or cancelled) and
 * so does the action. Returns the commands that changed, so a cancel can tell their agents.
 */
export async function finishAction(
  ctx: SchedulerContext,
  action: ActionRecord,
  status: 'expired' | 'cancelled',
  reason: string | undefined,
): Promise<{ action: ActionRecord; closed: CommandRecord[] }> {
  const now = ctx.clock.now().toISOString();
  const all = await ctx.store.commandsOf(action.action.id);
  const closed = all
    .filter((cmd) => !TERMINAL_COMMAND_STATUSES.has(cmd.status))
    .map((cmd): CommandRecord => ({ ...cmd, status, finishedAt: now }));
  await ctx.store.saveCommands(closed);
  const byId = new Map(all.map((c) => [c.id, c]));
  for (const cmd of closed) byId.set(cmd.id, cmd);
  const next: ActionRecord = {
    ...action,
    counters: countersOf([...byId.values()]),
    status,
    finishedAt: now,
    ...(reason === undefined ? {} : { reason }),
  };
  await ctx.store.saveAction(next);
  emitAll(ctx, next, closed);
  return { action: next, closed };
}
