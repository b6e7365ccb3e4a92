import { isAwaitingApproval, type ActionRecord, type CommandRecord } from '../../protocol/api.js';
import { BaseError } from '../../protocol/errors.js';
import { parseTarget } from '../../protocol/target/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Investigators } from '../auth/investigators.js';
import { selectAgents } from '../registry/select.js';
import { emitAll, publishCommands, withNewCommandIds, type SchedulerContext } from './context.js';
import { countersOf } from './counters.js';
import { recheckSignatures } from './recheck.js';

/** What a launch needs beyond the scheduler's context: the investigators as they are now. */
export interface LaunchContext extends SchedulerContext {
  investigators: Investigators;
  audit: AuditLog;
}

/**
 * Turns a `pending` action into commands: one per agent the target matches now (destroyed
 * agents excepted: they will never answer), persisted before anything is published so a result
 * can never arrive for a command we do not know. Offline agents are included: the broker queues
 * their command in their session, or the scheduler redelivers it when they come back.
 */
export async function launchAction(ctx: LaunchContext, actionId: string): Promise<ActionRecord | undefined> {
  const record = await ctx.store.getAction(actionId);
  // Held for the two-person rule: only addSignature() releases it.
  if (record === undefined || record.status !== 'pending' || isAwaitingApproval(record)) return record;
  const now = ctx.clock.now().toISOString();
  // Several servers on one store: exactly one turns an action into commands.
  if (ctx.store.fleet !== undefined && !(await ctx.store.fleet.claimLaunch(actionId))) {
    ctx.log(`scheduler: action ${actionId} is being launched by another server`);
    return record;
  }
  const refused = await refuseRevokedSigners(ctx, record, now);
  if (refused !== undefined) return refused;
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
  const targets = agents.filter((agent) => agent.status !== 'destroyed');
  const commands: CommandRecord[] = withNewCommandIds(targets).map(({ id, item: agent }) => ({
    id,
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

/**
 * Launch time is when the signatures are used: a signer disabled since submission (a scheduled
 * action, or one approved while its first signer was being disabled) makes the action invalid,
 * with a reason naming them. Nothing is sent.
 */
async function refuseRevokedSigners(
  ctx: LaunchContext,
  record: ActionRecord,
  now: string,
): Promise<ActionRecord | undefined> {
  try {
    await recheckSignatures(record.action, ctx.investigators);
    return undefined;
  } catch (err) {
    const reason = err instanceof BaseError ? `${err.code}: ${err.message}` : String(err);
    const invalid: ActionRecord = { ...record, status: 'invalid', finishedAt: now, reason };
    await ctx.store.saveAction(invalid);
    await ctx.audit.append('server', 'action.launch_refused', { id: record.action.id, reason });
    emitAll(ctx, invalid, []);
    ctx.log(`scheduler: refused to launch ${record.action.id}: ${reason}`);
    return invalid;
  }
}
