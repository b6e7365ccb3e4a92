import { dropped } from '../wire/drops.js';
import { z } from 'zod';
import type { AgentRecord, AgentStatus } from '../../protocol/api.js';
import {
  HeartbeatMessageSchema,
  MAX_HEARTBEAT_BYTES,
  OfflineMessageSchema,
  type HeartbeatMessage,
  type OfflineMessage,
} from '../../protocol/messages.js';
import { parsePayload } from '../../protocol/payload.js';
import type { Clock } from '../clock.js';
import type { EventHub } from '../events/event-hub.js';
import type { Store, StoredAgent } from '../store/store.js';
import { EnrollmentBook } from './enrollment-book.js';
import { isNewerAgent, isOnlyLaterBeat } from './merge.js';
import { agentStatus, agentStatusAt, toAgentRecord } from './status.js';
import { isUnchangedHeartbeat } from './unchanged-heartbeat.js';

const HeartbeatTopicSchema = z.discriminatedUnion('kind', [HeartbeatMessageSchema, OfflineMessageSchema]);

export interface RegistryOptions {
  store: Store;
  clock: Clock;
  events: EventHub;
  log: (msg: string) => void;
  /** How often statuses are re-evaluated (events on change). */
  sweepMs?: number;
  /** How often heartbeat times alone are persisted: a rewrite of agents.json each time (default 60 s). */
  persistBeatsMs?: number;
  /**
   * Every broker session began with this process (the embedded broker, with a store no other
   * server writes): an agent not heard from since is offline ('lost'), as the will of the
   * session it had would say, until its first heartbeat after it reconnects. Otherwise an agent
   * that vanished while the server was down would look online for two heartbeat intervals.
   */
  noSessionsAtStart?: boolean;
}

/**
 * The agents the server knows. Accepted agents (and agents from before enrollment existed) are
 * the targetable fleet, fed by the heartbeat topics; pending and rejected enrollments live in
 * `enrollments` and are never listed, targeted or waited for. Facts changes are persisted
 * within the store's flush interval; heartbeat times live in memory and are persisted by the
 * sweep and on close (a restart may show an agent a little older than it is, never younger).
 */
export class AgentRegistry {
  private readonly agents = new Map<string, StoredAgent>();
  /** Enrollment state: pending and rejected records, accept/reject, the broker's credential lookup. */
  readonly enrollments: EnrollmentBook;
  /** Agents that have beaten since this process started: their broker session holds their subscription. */
  private readonly seenThisProcess = new Set<string>();
  private readonly lastStatus = new Map<string, AgentStatus>();
  private readonly beatOnly = new Set<string>();
  /**
   * Per agent, the record its last heartbeat built, when that heartbeat passed the full schema
   * (or was equal to one that did), with lastHeartbeatAt as epoch ms: the fast path compares the
   * next heartbeat with this record only (a record from the store or an enrollment never
   * qualifies: it is not the one held here), and the sweep parses no dates. One entry per
   * agent, updated in place: it used to be a WeakSet and a WeakMap keyed by record, which took
   * two new entries per heartbeat (333 a second at 10,000 agents) and left the garbage collector
   * a dead ephemeron for each.
   */
  private readonly checkedBeats = new Map<string, { record: StoredAgent; ms: number }>();
  private readonly firstSeenListeners = new Set<(agentId: string) => void>();
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Heartbeats taken by the fast path and by the full parse, since start (bench and tests read them). */
  readonly heartbeatCounts = { unchanged: 0, parsed: 0 };
  private lastBeatsPersistMs = Date.now();

  private constructor(private readonly opts: RegistryOptions) {
    this.enrollments = new EnrollmentBook({
      store: opts.store,
      clock: opts.clock,
      log: opts.log,
      accepted: this.agents,
      onAccepted: (agent) => this.publish(agent),
      onRemoved: (id) => {
        this.lastStatus.delete(id);
        this.checkedBeats.delete(id);
        this.beatOnly.delete(id);
      },
      onChanged: (agent) =>
        this.opts.events.emit({ type: 'agent', agent: toAgentRecord(agent, this.opts.clock.now().getTime()) }),
    });
  }

  static async open(opts: RegistryOptions): Promise<AgentRegistry> {
    const registry = new AgentRegistry(opts);
    const nowMs = opts.clock.now().getTime();
    for (const stored of await opts.store.listAgents()) {
      if (registry.enrollments.load(stored)) continue;
      const agent: StoredAgent =
        opts.noSessionsAtStart === true && stored.offlineReason === undefined
          ? { ...stored, offlineReason: 'lost' }
          : stored;
      registry.agents.set(agent.id, agent);
      registry.lastStatus.set(agent.id, agentStatus(agent, nowMs));
    }
    registry.sweepTimer = setInterval(() => registry.sweep(), opts.sweepMs ?? 5000);
    registry.sweepTimer.unref();
    return registry;
  }

  /** Called for the first heartbeat of each agent in this process (see scheduler redelivery). */
  onFirstSeen(listener: (agentId: string) => void): () => void {
    this.firstSeenListeners.add(listener);
    return () => void this.firstSeenListeners.delete(listener);
  }

  /** A message on `mig/agents/<topicAgentId>/heartbeat`: a heartbeat or an offline notice. */
  handleHeartbeatTopic(topicAgentId: string, payload: Uint8Array): void {
    const previous = this.agents.get(topicAgentId);
    if (
      previous !== undefined &&
      this.checkedBeats.get(topicAgentId)?.record === previous &&
      payload.byteLength <= MAX_HEARTBEAT_BYTES
    ) {
      if (
        isUnchangedHeartbeat(
          Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'),
          previous,
        )
      ) {
        this.heartbeatCounts.unchanged++;
        return this.beatUnchanged(previous);
      }
    }
    this.heartbeatCounts.parsed++;
    let msg: HeartbeatMessage | OfflineMessage;
    // Alike on purpose (duplicates): parsePayload is the shared part; each MQTT consumer (here,
    // broker/scheduler/scheduler.ts) gives its own schema, size cap and words and drops into its own log namespace.
    try {
      msg = parsePayload(
        HeartbeatTopicSchema,
        payload,
        MAX_HEARTBEAT_BYTES,
        `heartbeat from ${topicAgentId}`,
        'MALFORMED_MESSAGE',
      );
    } catch (err) {
      dropped(this.opts.log, 'registry', err);
      return;
    }
    // The broker ACL lets an agent publish only on its own topic: a message naming another id is forged.
    if (msg.agentId !== topicAgentId) {
      dropped(this.opts.log, 'registry', 'FORBIDDEN', `${msg.kind} naming ${msg.agentId} on ${topicAgentId}'s topic`);
      return;
    }
    if (msg.kind === 'heartbeat') this.beat(msg);
    else this.leave(msg);
  }

  private beat(msg: HeartbeatMessage): void {
    const now = this.opts.clock.now().toISOString();
    const old = this.agents.get(msg.agentId);
    // Only accepted agents hold a broker credential; anything else cannot have connected as
    // this id (a certificate-only session is the one way), and is not in the fleet until accepted.
    if (old === undefined) {
      dropped(
        this.opts.log,
        'registry',
        'UNAUTHENTICATED',
        `a heartbeat from ${msg.agentId}, which is not an accepted agent`,
      );
      return;
    }
    // A destroyed agent removed its id with its data; a heartbeat under that id is a leftover or
    // an impostor holding the fleet secret, and must not bring the agent back as a target.
    if (old?.offlineReason === 'destroyed') {
      dropped(this.opts.log, 'registry', 'FORBIDDEN', `a heartbeat from destroyed agent ${msg.agentId}`);
      return;
    }
    const { offlineReason: _back, ...kept } = old;
    const agent: StoredAgent = {
      ...kept,
      id: msg.agentId,
      name: msg.name,
      os: msg.os,
      arch: msg.arch,
      version: msg.version,
      mode: msg.mode,
      queueloc: msg.queueloc,
      environment: msg.environment,
      tags: msg.tags,
      modules: msg.modules,
      status: 'online',
      heartbeatMs: msg.heartbeatMs,
      startedAt: msg.startedAt,
      firstSeenAt: old.firstSeenAt,
      // Server time, not the agent's sentAt: ages are measured against our own clock.
      lastHeartbeatAt: now,
      ...(msg.policyVersion === undefined ? {} : { policyVersion: msg.policyVersion }),
    };
    this.agents.set(agent.id, agent);
    this.noteCheckedBeat(agent, Date.parse(now));
    if (factsChanged(old, agent)) {
      this.beatOnly.delete(agent.id);
      void this.opts.store.saveAgent(agent);
    } else {
      this.beatOnly.add(agent.id);
    }
    this.afterBeat(agent);
  }

  /** A heartbeat equal to the previous one but for its sentAt (unchanged-heartbeat.ts): only the time moves. */
  private beatUnchanged(previous: StoredAgent): void {
    const now = this.opts.clock.now();
    const agent: StoredAgent = { ...previous, lastHeartbeatAt: now.toISOString() };
    this.agents.set(agent.id, agent);
    this.noteCheckedBeat(agent, now.getTime());
    this.beatOnly.add(agent.id);
    this.afterBeat(agent);
  }

  private noteCheckedBeat(agent: StoredAgent, ms: number): void {
    const entry = this.checkedBeats.get(agent.id);
    if (entry === undefined) this.checkedBeats.set(agent.id, { record: agent, ms });
    else {
      entry.record = agent;
      entry.ms = ms;
    }
  }

  private afterBeat(agent: StoredAgent): void {
    // Just beaten, so online. With no event stream open there is no one to build a record for.
    if (this.opts.events.size === 0) this.lastStatus.set(agent.id, 'online');
    else this.publish(agent);
    if (!this.seenThisProcess.has(agent.id)) {
      this.seenThisProcess.add(agent.id);
      for (const listener of this.firstSeenListeners) listener(agent.id);
    }
  }

  private leave(msg: OfflineMessage): void {
    const old = this.agents.get(msg.agentId);
    if (old === undefined) return;
    const agent: StoredAgent = { ...old, offlineReason: msg.reason };
    this.agents.set(agent.id, agent);
    void this.opts.store.saveAgent(agent);
    this.publish(agent);
  }

  private publish(agent: StoredAgent): void {
    const record = toAgentRecord(agent, this.opts.clock.now().getTime());
    this.lastStatus.set(agent.id, record.status);
    this.opts.events.emit({ type: 'agent', agent: record });
  }

  /** Emits an event for every agent whose status moved with time; now and then persists heartbeat times. */
  sweep(isFinal = false): void {
    const nowMs = this.opts.clock.now().getTime();
    for (const agent of this.agents.values()) {
      const beat = this.checkedBeats.get(agent.id);
      const status = beat?.record === agent ? agentStatusAt(agent, beat.ms, nowMs) : agentStatus(agent, nowMs);
      if (status !== this.lastStatus.get(agent.id)) this.publish(agent);
    }
    if (!isFinal && Date.now() - this.lastBeatsPersistMs < (this.opts.persistBeatsMs ?? 60_000)) return;
    this.lastBeatsPersistMs = Date.now();
    for (const id of this.beatOnly) {
      const agent = this.agents.get(id);
      if (agent !== undefined) void this.opts.store.saveAgent(agent);
    }
    this.beatOnly.clear();
  }

  /**
   * Records read back from a store other servers write too (fleet-sync.ts): each replaces ours
   * when newer (merge.ts), so an agent enrolled, accepted or heard on another server is ours too.
   */
  refresh(changed: readonly StoredAgent[]): void {
    for (const incoming of changed) {
      const local = this.agents.get(incoming.id) ?? this.enrollments.find(incoming.id);
      if (local !== undefined && !isNewerAgent(incoming, local)) continue;
      this.beatOnly.delete(incoming.id);
      if (local !== undefined && this.agents.has(incoming.id) && isOnlyLaterBeat(incoming, local)) {
        this.agents.set(incoming.id, incoming);
        continue;
      }
      this.enrollments.adopt(incoming);
    }
  }

  /** Any agent the server knows, pending and rejected enrollments included (see `enrollment`). */
  get(id: string): AgentRecord | undefined {
    const agent = this.agents.get(id) ?? this.enrollments.find(id);
    return agent === undefined ? undefined : toAgentRecord(agent, this.opts.clock.now().getTime());
  }

  /** Every accepted agent (the targetable fleet) with its current status, sorted by name then id. */
  list(): AgentRecord[] {
    const nowMs = this.opts.clock.now().getTime();
    return [...this.agents.values()]
      .map((a) => toAgentRecord(a, nowMs))
      .sort((a, b) => byName.compare(a.name, b.name) || byName.compare(a.id, b.id));
  }

  /**
   * How many accepted agents are in each status now, destroyed ones left out: what
   * `/agents/count` answers for the target `all`, in one pass with no record copied or sorted
   * (consoles and the bench poll it while a fleet connects).
   */
  statusCounts(): { total: number; online: number; idle: number; offline: number } {
    const nowMs = this.opts.clock.now().getTime();
    const counts = { total: 0, online: 0, idle: 0, offline: 0 };
    for (const agent of this.agents.values()) {
      const status = agentStatus(agent, nowMs);
      if (status === 'destroyed') continue;
      counts.total++;
      counts[status]++;
    }
    return counts;
  }

  /** Stops the sweep and hands the latest heartbeat times to the store (flushed by its close). */
  close(): void {
    clearInterval(this.sweepTimer);
    this.sweep(true);
  }
}

/** String.localeCompare's order, with one collator instead of one lookup per comparison. */
const byName = new Intl.Collator();

function factsChanged(a: StoredAgent, b: StoredAgent): boolean {
  const facts = (x: StoredAgent): string =>
    JSON.stringify([
      x.name,
      x.os,
      x.arch,
      x.version,
      x.mode,
      x.queueloc,
      x.environment,
      x.tags,
      x.modules,
      x.heartbeatMs,
      x.startedAt,
    ]);
  return a.offlineReason !== undefined || facts(a) !== facts(b);
}
