import { isAwaitingApproval, type ActionRecord, type CommandRecord } from '../../protocol/api.js';
import { BaseError } from '../../protocol/errors.js';
import { parseTarget } from '../../protocol/target/index.js';
import { selectAgents } from '../registry/select.js';
import { emitAll, newCommandId, publishCommands, type SchedulerContext } from './context.js';
import { countersOf } from './counters.js';

/**
 * Turns a `pending` action into commands: one per agent the target matches now (destroyed
 * agents excepted: they will never answer), persisted before anything is published so a result
 * can never arrive for a command we do not know. Offline agents are included: the broker queues
 * their command in their session, or the scheduler redelivers it when they come back.
 */
export async function launchAction(ctx: SchedulerContext, actionId: string): Promise<ActionRecord | undefined> {
  const record = await ctx.store.getAction(actionId);
  // Held for the two-person rule: only addSignature() releases it.
  if (record === undefined || record.status !== 'pending' || isAwaitingApproval(record)) return record;
  const now = ctx.clock.now().toISOString();
  let agents;
  try {
    agents = await selectAgents(ctx.registry, ctx.store, parseTarget(record.action.target));
  } catch (err) {
    // The target parsed at submission; failing now means our parser changed under a stored action.
    const reason = err instanceof BaseError ? `${err.code}: ${err.message}` : String(err);
    const invalid: ActionRecord = { ...record, status: 'invalid', finishedAt: now, reason };
    await ctx.store.saveAction(invalid);
    emitAll(ctx, invalid, []);
    return invalid;
  }
  const commands: CommandRecord[] = agents
    .filter((agent) => agent.status !== 'destroyed')
    .map((agent) => ({
      id: newCommandId(),
      actionId,
      agentId: agent.id,
      agentName: agent.name,
      status: 'sent',
      createdAt: now,
      sentAt: now,
    }));
  await ctx.store.saveCommands(commands);
  const counters = countersOf(commands);
  const next: ActionRecord =
    commands.length === 0
      ? { ...record, counters, status: 'completed', finishedAt: now, reason: 'the target matched no agent' }
      : { ...record, counters, status: 'inflight' };
  await ctx.store.saveAction(next);
  emitAll(ctx, next, commands);
  publishCommands(ctx, next, commands);
  ctx.log(`scheduler: launched ${actionId} to ${commands.length} agent(s)`);
  return next;
}
