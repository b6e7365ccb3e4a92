import { dropped } from '../wire/drops.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import {
  PENDING_APPROVAL_REASON,
  isAwaitingApproval,
  type ActionRecord,
  type InvestigatorRecord,
} from '../../protocol/api.js';
import { BaseError, UserError } from '../../protocol/errors.js';
import { MAX_MESSAGE_BYTES, ResultMessageSchema, type ResultMessage } from '../../protocol/messages.js';
import { parsePayload } from '../../protocol/payload.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Investigators } from '../auth/investigators.js';
import { DEFAULT_APPROVAL_POLICY, approvalOf, type ApprovalPolicy } from './approval.js';
import type { ResultArrival } from './answer-signature.js';
import { addCoSignature } from './co-sign.js';
import { emitAll, publishCommands, type SchedulerContext } from './context.js';
import { countersOf, emptyCounters, isAllDone } from './counters.js';
import { finishAction } from './finish.js';
import { KeyedQueue } from './keyed-queue.js';
import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import { launchAction } from './launch.js';
import { applyResults } from './results.js';
import { validateAction } from './validate-action.js';

/** A payload from `mig/agents/<agentId>/results`; the id comes from the topic. */
export interface AgentResult {
  agentId: string;
  payload: Uint8Array;
}

export interface SchedulerOptions extends SchedulerContext {
  investigators: Investigators;
  audit: AuditLog;
  /** Module specs actions are checked against; default modules/registry.ts. */
  specs?: ReadonlyMap<string, AnyModuleSpec>;
  /** Distinct signers needed before launch (default: 2 for response modules, 1 otherwise). */
  approval?: ApprovalPolicy;
}

/**
 * Action lifecycle: submit → pending → (at validFrom) launch → inflight → completed when every
 * command is terminal, or expired at expireAfter, or cancelled. All changes to one action run
 * through one queue.
 *
 * Two-person rule: an action with fewer distinct signers than approval.ts requires stays
 * `pending` (reason `pending approval`, no launch timer) until addSignature() brings enough;
 * then it launches exactly like a fresh submission. It still expires at expireAfter.
 *
 * Never await a PUBACK inside the queue: mqtt.js handles incoming packets one at a time and
 * only moves on once a result has been applied, so a task waiting for a PUBACK queued behind
 * that result would wait forever. Publishes are fire and forget (QoS 1 keeps them in mqtt.js's
 * outgoing store until acknowledged).
 *
 * Redelivery: an agent's command reaches it through the broker session that holds its
 * subscription. The embedded broker keeps sessions in memory, so after a server restart (or for
 * an agent that never connected to this broker) a publish reaches nobody. On each agent's
 * first heartbeat in this process we therefore publish again every command it has not
 * answered. An agent that already answered a command id publishes its stored answer again,
 * so a lost result comes back. A copy it cannot answer from its store is refused as REPLAYED
 * (its journal is keyed by action id); that refusal is ignored for redelivered commands, and
 * the first result is applied. If the only answer ever is REPLAYED the command expires.
 */
export class Scheduler {
  private readonly queue = new KeyedQueue();
  private readonly timers = new Map<string, Array<() => void>>();
  private readonly redelivered = new Set<string>();
  private isClosed = false;

  constructor(private readonly ctx: SchedulerOptions) {}

  /**
   * Picks up what a previous process left open. On a store several servers share, only the
   * actions this server owns (or takes over from a server whose lease ran out): another live
   * server's timers are its own, and two launches of one action would run it twice.
   */
  async start(): Promise<void> {
    const fleet = this.ctx.store.fleet;
    const open =
      fleet === undefined ? await this.ctx.store.openActions() : (await fleet.claimOpenActions()).map((o) => o.record);
    for (const action of open) {
      await this.queue.run(action.action.id, () => this.recover(action));
    }
  }

  /**
   * Shared store, every poll (fleet-sync.ts): takes over the open actions of servers whose lease
   * ran out (timers armed again; their unanswered commands are sent again by whichever server
   * cleans up after the dead one: redeliverOpen), adopts owned actions it does not track, and
   * completes owned actions whose last results another server stored (its count could not see ours).
   */
  async adoptOpenActions(): Promise<void> {
    const fleet = this.ctx.store.fleet;
    if (fleet === undefined || this.isClosed) return;
    for (const { record, isTakenOver } of await fleet.claimOpenActions()) {
      const id = record.action.id;
      if (isTakenOver || !this.timers.has(id)) {
        if (isTakenOver) this.ctx.log(`scheduler: took over action ${id} from a server whose lease ran out`);
        await this.queue.run(id, () => this.recover(record));
      } else if (record.status === 'inflight' && isAllDone(record.counters)) {
        await this.queue.run(id, async () => {
          const fresh = await this.ctx.store.getAction(id);
          if (fresh?.status !== 'inflight') return;
          await this.recover(fresh);
          if ((await this.ctx.store.getAction(id))?.status === 'completed') this.disarm(id);
        });
      }
    }
  }

  /** After another server died (fleet-sync.ts): every unanswered command of every open action, sent again. */
  async redeliverOpen(): Promise<void> {
    for (const action of await this.ctx.store.openActions()) await this.redeliverAction(action.action.id);
  }

  /** Publishes again every unanswered command of one inflight action. */
  private async redeliverAction(id: string): Promise<void> {
    const action = await this.ctx.store.getAction(id);
    if (action?.status !== 'inflight' || Date.parse(action.action.expireAfter) <= this.ctx.clock.now().getTime())
      return;
    const open = (await this.ctx.store.commandsOf(id)).filter((cmd) => !TERMINAL_COMMAND_STATUSES.has(cmd.status));
    for (const cmd of open) this.redelivered.add(cmd.id);
    publishCommands(this.ctx, action, open);
    if (open.length > 0) this.ctx.log(`scheduler: redelivered ${open.length} command(s) of action ${id}`);
  }

  async submit(raw: unknown, by: InvestigatorRecord): Promise<ActionRecord> {
    const now = this.ctx.clock.now();
    let valid;
    try {
      valid = await validateAction(raw, this.ctx.investigators, now, this.ctx.specs);
    } catch (err) {
      await this.auditInvalid(raw, by, err);
      throw err;
    }
    const id = valid.action.id;
    if ((await this.ctx.store.getAction(id)) !== undefined) {
      throw new UserError('CONFLICT', `action ${id} already exists`, 'sign a new action: ids are single-use');
    }
    const modules = valid.action.operations.map((op) => op.module);
    const approval = approvalOf(modules, valid.signers, this.ctx.approval ?? DEFAULT_APPROVAL_POLICY);
    const record: ActionRecord = {
      action: valid.action,
      status: 'pending',
      investigators: valid.signers,
      counters: emptyCounters(),
      createdAt: now.toISOString(),
      ...(approval === undefined ? {} : { approval }),
    };
    const isHeld = isAwaitingApproval(record);
    if (isHeld) record.reason = PENDING_APPROVAL_REASON;
    await this.ctx.store.createAction(record);
    await this.ctx.audit.append(by.fingerprint, 'action.created', {
      id,
      name: valid.action.name,
      target: valid.action.target,
      signers: valid.signers,
      ...(approval === undefined ? {} : { required: approval.required, isAwaitingApproval: isHeld }),
    });
    emitAll(this.ctx, record, []);
    this.arm(record);
    if (isHeld || Date.parse(record.action.validFrom) > now.getTime()) return record;
    const launched = (await this.queue.run(id, () => launchAction(this.ctx, id))) ?? record;
    if (launched.status !== 'inflight') this.disarm(id);
    return launched;
  }

  /**
   * One more investigator's signature on an action held for approval; launches it (or arms its
   * launch at validFrom) once the distinct signers reach the requirement.
   */
  async addSignature(id: string, signature: string, by: InvestigatorRecord): Promise<ActionRecord> {
    return this.queue.run(id, async () => {
      let signed;
      try {
        signed = await addCoSignature(this.ctx, id, signature, by);
      } catch (err) {
        const code = err instanceof BaseError ? err.code : 'INTERNAL';
        await this.ctx.audit.append(by.fingerprint, 'action.signature_refused', {
          id,
          code,
          message: (err as Error).message,
        });
        throw err;
      }
      const { record, isApproved } = signed;
      if (!isApproved) return record;
      this.arm(record);
      if (Date.parse(record.action.validFrom) > this.ctx.clock.now().getTime()) return record;
      const launched = (await launchAction(this.ctx, id)) ?? record;
      if (launched.status !== 'inflight') this.disarm(id);
      return launched;
    });
  }

  async cancel(id: string, by: InvestigatorRecord): Promise<ActionRecord> {
    return this.queue.run(id, async () => {
      const action = await this.ctx.store.getAction(id);
      if (action === undefined) throw new UserError('NOT_FOUND', `no action ${id}`);
      if (action.status !== 'pending' && action.status !== 'inflight') {
        throw new UserError('CONFLICT', `action ${id} is already ${action.status}`);
      }
      this.disarm(id);
      const done = await finishAction(this.ctx, action, 'cancelled', `cancelled by ${by.name}`);
      await this.ctx.audit.append(by.fingerprint, 'action.cancelled', { id, commands: done.closed.length });
      for (const cmd of done.closed) {
        this.ctx.publisher
          .sendCancel(cmd.agentId, { v: 1, kind: 'cancel', commandId: cmd.id })
          .catch((err: unknown) =>
            this.ctx.log(`scheduler: cancel to ${cmd.agentId} failed: ${(err as Error).message}`),
          );
      }
      return done.action;
    });
  }

  /** A message on `mig/agents/<topicAgentId>/results`. Resolves once the result is on disk. */
  handleResult(topicAgentId: string, payload: Uint8Array): Promise<void> {
    return this.handleResults([{ agentId: topicAgentId, payload }]);
  }

  /**
   * Messages from results topics, as they arrived together: applied per action in one queue
   * task each (one store append and one action update for the lot). Resolves once every
   * result is on disk; invalid or misdirected ones are logged and dropped. `arrival`: the link
   * that received them (answer-signature.ts); by default their signatures are verified.
   */
  async handleResults(results: readonly AgentResult[], arrival: ResultArrival = 'external-broker'): Promise<void> {
    const byAction = new Map<string, ResultMessage[]>();
    for (const { agentId, payload } of results) {
      const checked = await this.checkResult(agentId, payload);
      if (checked === undefined) continue;
      let list = byAction.get(checked.actionId);
      if (list === undefined) byAction.set(checked.actionId, (list = []));
      list.push(checked.msg);
    }
    // On a shared store another server may have sent a copy we do not know of: REPLAYED is
    // never an answer there (the command is answered by the first real result, or expires).
    const isShared = this.ctx.store.fleet !== undefined;
    const isRedelivered = (commandId: string): boolean => isShared || this.redelivered.has(commandId);
    await Promise.all(
      [...byAction].map(async ([actionId, msgs]) => {
        const { outcome } = await this.queue.run(actionId, () => applyResults(this.ctx, msgs, isRedelivered, arrival));
        if (outcome === 'completed') this.disarm(actionId);
      }),
    );
  }

  /** Parsed, for a command we know, from the agent it was sent to; otherwise logged and undefined. */
  private async checkResult(
    topicAgentId: string,
    payload: Uint8Array,
  ): Promise<{ actionId: string; msg: ResultMessage } | undefined> {
    let msg: ResultMessage;
    try {
      msg = parsePayload(
        ResultMessageSchema,
        payload,
        MAX_MESSAGE_BYTES,
        `result from ${topicAgentId}`,
        'MALFORMED_MESSAGE',
      );
    } catch (err) {
      dropped(this.ctx.log, 'scheduler', err);
      return undefined;
    }
    const cmd = await this.ctx.store.getCommand(msg.commandId);
    if (cmd === undefined) {
      dropped(
        this.ctx.log,
        'scheduler',
        'NOT_FOUND',
        `a result from ${topicAgentId} for unknown command ${msg.commandId}`,
      );
      return undefined;
    }
    if (cmd.agentId !== topicAgentId || (msg.actionId !== undefined && msg.actionId !== cmd.actionId)) {
      dropped(
        this.ctx.log,
        'scheduler',
        'FORBIDDEN',
        `a result from ${topicAgentId} for command ${cmd.id}, which is ${cmd.agentId}'s for ${cmd.actionId}`,
      );
      return undefined;
    }
    return { actionId: cmd.actionId, msg };
  }

  /** An agent's first heartbeat in this process: send again whatever it has not answered. */
  async redeliver(agentId: string): Promise<void> {
    const nowMs = this.ctx.clock.now().getTime();
    for (const cmd of await this.ctx.store.openCommandsFor(agentId)) {
      const action = await this.ctx.store.getAction(cmd.actionId);
      if (action?.status !== 'inflight' || Date.parse(action.action.expireAfter) <= nowMs) continue;
      this.redelivered.add(cmd.id);
      publishCommands(this.ctx, action, [cmd]);
      this.ctx.log(`scheduler: redelivered command ${cmd.id} to ${agentId}`);
    }
  }

  /** Stops timers and waits for work in progress; the store is closed by its owner. */
  async close(): Promise<void> {
    this.isClosed = true;
    for (const id of [...this.timers.keys()]) this.disarm(id);
    await this.queue.drain();
  }

  private async recover(stored: ActionRecord): Promise<void> {
    const id = stored.action.id;
    const commands = await this.ctx.store.commandsOf(id);
    if (stored.status === 'pending' && commands.length === 0) {
      this.arm(stored);
      if (Date.parse(stored.action.validFrom) <= this.ctx.clock.now().getTime()) await launchAction(this.ctx, id);
      return;
    }
    // The commands are the truth; the action file may be up to one flush interval behind them.
    const counters = countersOf(commands);
    if (isAllDone(counters)) {
      const finishedAt =
        commands
          .map((c) => c.finishedAt ?? '')
          .sort()
          .at(-1) ?? this.ctx.clock.now().toISOString();
      const done: ActionRecord = { ...stored, counters, status: 'completed', finishedAt };
      await this.ctx.store.saveAction(done);
      emitAll(this.ctx, done, []);
      return;
    }
    const open: ActionRecord = { ...stored, counters, status: 'inflight' };
    if (JSON.stringify(open) !== JSON.stringify(stored)) await this.ctx.store.saveAction(open);
    this.arm(open);
  }

  /** Launch at validFrom (when in the future) and expiry at expireAfter. */
  private arm(record: ActionRecord): void {
    if (this.isClosed) return;
    const id = record.action.id;
    const cancels: Array<() => void> = [];
    const fromMs = Date.parse(record.action.validFrom);
    if (record.status === 'pending' && !isAwaitingApproval(record) && fromMs > this.ctx.clock.now().getTime()) {
      cancels.push(this.ctx.clock.schedule(fromMs, () => this.inQueue(id, () => launchAction(this.ctx, id))));
    }
    cancels.push(
      this.ctx.clock.schedule(Date.parse(record.action.expireAfter), () => this.inQueue(id, () => this.expire(id))),
    );
    this.disarm(id);
    this.timers.set(id, cancels);
  }

  private disarm(id: string): void {
    for (const cancel of this.timers.get(id) ?? []) cancel();
    this.timers.delete(id);
  }

  private inQueue(id: string, task: () => Promise<unknown>): void {
    this.queue
      .run(id, task)
      .catch((err: unknown) => this.ctx.log(`scheduler: action ${id}: ${(err as Error).message}`));
  }

  private async expire(id: string): Promise<void> {
    this.timers.delete(id);
    const action = await this.ctx.store.getAction(id);
    if (action === undefined || (action.status !== 'pending' && action.status !== 'inflight')) return;
    const held = action.approval !== undefined && isAwaitingApproval(action) ? action.approval : undefined;
    const reason =
      held === undefined
        ? undefined
        : `expired waiting for approval (${held.signers.length} of ${held.required} signers)`;
    const done = await finishAction(this.ctx, action, 'expired', reason);
    this.ctx.log(`scheduler: action ${id} expired with ${done.closed.length} command(s) unanswered`);
  }

  private async auditInvalid(raw: unknown, by: InvestigatorRecord, err: unknown): Promise<void> {
    const id =
      typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string'
        ? raw.id.slice(0, 64)
        : undefined;
    const code = err instanceof BaseError ? err.code : 'INTERNAL';
    await this.ctx.audit.append(by.fingerprint, 'action.invalid', { id, code, message: (err as Error).message });
  }
}
