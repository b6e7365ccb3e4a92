import type { AgentRecord } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import type { EnrollRequest, IdBinding } from '../../protocol/enrollment.js';
import type { Clock } from '../clock.js';
import type { Store, StoredAgent } from '../store/store.js';
import { decideEnrollment, type EnrollDecision, type EnrollPolicy } from './enrollment.js';
import { toAgentRecord } from './status.js';

export interface EnrollmentBookOptions {
  store: Store;
  clock: Clock;
  log: (msg: string) => void;
  /** The registry's accepted agents: moved into on accept, out of on reject. */
  accepted: Map<string, StoredAgent>;
  /** An agent joined the accepted fleet. */
  onAccepted(agent: StoredAgent): void;
  /** An agent left the accepted fleet. */
  onRemoved(agentId: string): void;
  /** A pending or rejected record changed (for live events). */
  onChanged(agent: StoredAgent): void;
}

/**
 * Pending and rejected enrollments, and the moves between them and the accepted fleet. Memory
 * is the accepted fleet plus at most `maxPending` pending records plus the rejected ones (each
 * an admin's decision). Every change is one record appended by the store.
 */
export class EnrollmentBook {
  private readonly pending = new Map<string, StoredAgent>();
  private readonly rejected = new Map<string, StoredAgent>();
  private readonly withdrawnListeners = new Set<(agentId: string) => void>();
  private readonly decisionListeners = new Set<(agentId: string, state: 'accepted' | 'rejected') => void>();

  constructor(private readonly opts: EnrollmentBookOptions) {}

  /** At open: keeps a pending or rejected record and says true; false for the accepted fleet. */
  load(agent: StoredAgent): boolean {
    if (agent.enrollment === 'pending') this.pending.set(agent.id, agent);
    else if (agent.enrollment === 'rejected') this.rejected.set(agent.id, agent);
    else return false;
    return true;
  }

  /** For the broker: sha256 hex of an accepted, not destroyed agent's broker password. */
  passwordHashOf(agentId: string): string | undefined {
    const agent = this.opts.accepted.get(agentId);
    if (agent === undefined || agent.offlineReason === 'destroyed') return undefined;
    return agent.passwordHash;
  }

  /** Called with the id whenever an accepted agent's credential is withdrawn (rejected). */
  onCredentialWithdrawn(listener: (agentId: string) => void): () => void {
    this.withdrawnListeners.add(listener);
    return () => void this.withdrawnListeners.delete(listener);
  }

  /** Called after an admin accepts or rejects: the server tells an agent still waiting. */
  onDecision(listener: (agentId: string, state: 'accepted' | 'rejected') => void): () => void {
    this.decisionListeners.add(listener);
    return () => void this.decisionListeners.delete(listener);
  }

  find(agentId: string): StoredAgent | undefined {
    return this.pending.get(agentId) ?? this.rejected.get(agentId);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  listPending(): AgentRecord[] {
    const nowMs = this.opts.clock.now().getTime();
    return [...this.pending.values()]
      .map((a) => toAgentRecord(a, nowMs))
      .sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.id.localeCompare(b.id));
  }

  /** A verified request (signature, id binding and freshness were checked by the caller). */
  enroll(request: EnrollRequest, binding: IdBinding, passwordHash: string, policy: EnrollPolicy): EnrollDecision {
    const existing = this.opts.accepted.get(request.agentId) ?? this.find(request.agentId);
    const decision = decideEnrollment(request, {
      existing,
      pendingCount: this.pending.size,
      policy,
      binding,
      passwordHash,
      nowIso: this.opts.clock.now().toISOString(),
    });
    if (decision.store) this.put(decision.record);
    return decision;
  }

  /** Pending (or rejected) → accepted. */
  accept(agentId: string, by: string): AgentRecord {
    const agent = this.find(agentId);
    if (agent === undefined) {
      if (this.opts.accepted.has(agentId))
        throw new UserError('CONFLICT', `agent ${agentId} is already accepted`, 'mig agents pending lists what waits');
      throw new UserError('NOT_FOUND', `no pending enrollment for agent ${agentId}`, 'mig agents pending lists them');
    }
    if (agent.passwordHash === undefined)
      throw new UserError('CONFLICT', `agent ${agentId} has no credential to accept`, 'the agent must enroll again');
    const record = this.put({ ...agent, enrollment: 'accepted', ...this.decided(by) });
    for (const listener of this.decisionListeners) listener(agentId, 'accepted');
    return record;
  }

  /** Every pending enrollment → accepted; returns the ids. */
  acceptAll(by: string): string[] {
    return [...this.pending.keys()].map((id) => this.accept(id, by).id);
  }

  /**
   * Pending or accepted → rejected. An accepted agent's credential is withdrawn at once (its
   * live session ended); its key stays bound, so the same key can never enroll that id again
   * unless an admin accepts it.
   */
  reject(agentId: string, by: string): AgentRecord {
    const agent = this.pending.get(agentId) ?? this.opts.accepted.get(agentId);
    if (agent === undefined) {
      if (this.rejected.has(agentId))
        throw new UserError('CONFLICT', `agent ${agentId} is already rejected`, 'mig agents accept ID takes it back');
      throw new UserError('NOT_FOUND', `no agent ${agentId}`, 'mig agents pending lists pending enrollments');
    }
    const record = this.put({ ...agent, enrollment: 'rejected', ...this.decided(by) });
    for (const listener of this.decisionListeners) listener(agentId, 'rejected');
    return record;
  }

  private decided(by: string): Pick<StoredAgent, 'decidedAt' | 'decidedBy'> {
    return { decidedAt: this.opts.clock.now().toISOString(), decidedBy: by.slice(0, 64) };
  }

  /**
   * A record another server wrote to the shared store (registry refresh): filed under its state
   * like a decision of ours, credential withdrawn when it left the fleet, but not written back.
   */
  adopt(agent: StoredAgent): void {
    this.put(agent, false);
  }

  /** Files the record under its state, persists it (one appended line) and tells listeners. */
  private put(agent: StoredAgent, isOurs = true): AgentRecord {
    const wasAccepted = this.opts.accepted.has(agent.id);
    this.pending.delete(agent.id);
    this.rejected.delete(agent.id);
    this.opts.accepted.delete(agent.id);
    if (isOurs)
      void this.opts.store
        .saveAgent(agent)
        .catch((err: unknown) => this.opts.log(`registry: saving agent ${agent.id} failed: ${(err as Error).message}`));
    if (agent.enrollment === 'pending') this.pending.set(agent.id, agent);
    else if (agent.enrollment === 'rejected') this.rejected.set(agent.id, agent);
    else {
      this.opts.accepted.set(agent.id, agent);
      this.opts.onAccepted(agent);
    }
    if (wasAccepted && agent.enrollment !== 'accepted') {
      this.opts.onRemoved(agent.id);
      for (const listener of this.withdrawnListeners) listener(agent.id);
    }
    if (agent.enrollment !== 'accepted') this.opts.onChanged(agent);
    return toAgentRecord(agent, this.opts.clock.now().getTime());
  }
}
