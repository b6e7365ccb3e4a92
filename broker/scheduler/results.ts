import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import type { ActionRecord, CommandRecord } from '../../protocol/api.js';
import type { ResultMessage } from '../../protocol/messages.js';
import { agentAnswerOf } from './answer-signature.js';
import { emitAll, type SchedulerContext } from './context.js';
import { applyChange, isAllDone } from './counters.js';

export type ResultOutcome = 'applied' | 'completed' | 'ignored';

/**
 * Applies one agent's result to its command (already checked to belong to that agent), then the
 * action's counters; the action completes when its last command is terminal. The first result
 * wins: a later one for the same command is a duplicate and is dropped. `isRedelivered` marks
 * commands we sent twice, whose REPLAYED refusal is the agent refusing our second copy, not an
 * answer to the first (see scheduler.ts).
 */
export async function applyResult(
  ctx: SchedulerContext,
  msg: ResultMessage,
  isRedelivered: boolean,
): Promise<{ outcome: ResultOutcome; action?: ActionRecord }> {
  const current = await ctx.store.getCommand(msg.commandId);
  if (current === undefined) return { outcome: 'ignored' };
  if (TERMINAL_COMMAND_STATUSES.has(current.status)) {
    ctx.log(`scheduler: ignored a second result for command ${current.id} (already ${current.status})`);
    return { outcome: 'ignored' };
  }
  if (isRedelivered && msg.status === 'failed' && msg.error?.code === 'REPLAYED') {
    ctx.log(`scheduler: ignored REPLAYED from ${current.agentId} for redelivered command ${current.id}`);
    return { outcome: 'ignored' };
  }
  const signed = agentAnswerOf(current.agentId, msg);
  if (signed === 'refused') {
    ctx.log(`scheduler: refused a result for command ${current.id}: its agent signature does not hold for ${current.agentId}`);
    return { outcome: 'ignored' };
  }
  const updated: CommandRecord = {
    ...current,
    status: msg.status,
    // Server time: the agent's clock says when it ran, ours when we knew.
    finishedAt: ctx.clock.now().toISOString(),
    isFound: msg.operations.some((op) => op.isFound),
    operations: msg.operations,
    ...(msg.error === undefined ? {} : { error: msg.error }),
    ...signed,
  };
  await ctx.store.saveCommands([updated]);
  const action = await ctx.store.getAction(current.actionId);
  if (action === undefined) return { outcome: 'applied' };
  const counters = applyChange(action.counters, current, updated);
  const isComplete = isAllDone(counters) && (action.status === 'inflight' || action.status === 'pending');
  const next: ActionRecord = isComplete
    ? { ...action, counters, status: 'completed', finishedAt: updated.finishedAt }
    : { ...action, counters };
  // A status change is worth waiting for; a counter change lands within the flush interval.
  if (isComplete) await ctx.store.saveAction(next, 'now');
  else void ctx.store.saveAction(next, 'batched');
  emitAll(ctx, next, [updated]);
  return { outcome: isComplete ? 'completed' : 'applied', action: next };
}
