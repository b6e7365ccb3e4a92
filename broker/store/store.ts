import { z } from 'zod';
import type { ActionStatus } from '../../protocol/action.js';
import {
  AgentRecordSchema,
  type ActionRecord,
  type CommandRecord,
  type InvestigatorRecord,
  type LiveEvent,
} from '../../protocol/api.js';

/**
 * Everything the server keeps. Small on purpose so a PostgreSQL implementation can follow the
 * lowdb one: every method is async, and the only durability promises are the ones written on
 * each method. Records are replaced whole; callers serialise their own read-modify-write per
 * action (see scheduler/keyed-queue.ts).
 */
export interface Store {
  /** Durable when the promise resolves. Throws UserError CONFLICT when the id is taken. */
  createAction(record: ActionRecord): Promise<void>;
  /**
   * Replaces an action record; the promise resolves once it is on disk. `now` (the default)
   * writes at once: for status changes. `batched` may wait up to the flush interval (and is
   * written on close): for counter updates, which the commands can always rebuild. A store
   * shared by several servers may derive the counters from the commands instead of taking the
   * record's, and keeps a final status (completed, expired, cancelled, invalid) against a late
   * write of another status.
   */
  saveAction(record: ActionRecord, durability?: Durability): Promise<void>;
  getAction(id: string): Promise<ActionRecord | undefined>;
  /** Newest first; `total` counts the actions that pass the query's filter. */
  listActions(query: ActionQuery): Promise<{ actions: ActionRecord[]; total: number }>;
  /** Actions still `pending` or `inflight`: what a restarted scheduler picks up again. */
  openActions(): Promise<ActionRecord[]>;

  /**
   * Creates or replaces command records; durable when the promise resolves. A terminal command
   * is never replaced (the first result wins, whichever server stored it): later records for it
   * are dropped without error.
   */
  saveCommands(commands: readonly CommandRecord[]): Promise<void>;
  getCommand(id: string): Promise<CommandRecord | undefined>;
  /** The known ones among these commands, by id: one query for a group of results. */
  getCommands(ids: readonly string[]): Promise<ReadonlyMap<string, CommandRecord>>;
  commandsOf(actionId: string): Promise<CommandRecord[]>;
  /** By agent name, then agent id (lowdb: localeCompare; PostgreSQL: byte order, the same on every server). */
  listCommands(actionId: string, query: CommandQuery): Promise<{ commands: CommandRecord[]; total: number }>;
  /** Commands still `sent` for one agent, oldest first. */
  openCommandsFor(agentId: string): Promise<CommandRecord[]>;
  /** Agents whose command for this action found something; undefined for an unknown action. */
  foundAgents(actionId: string): Promise<ReadonlySet<string> | undefined>;
  /** Agents whose command for this action is terminal and found nothing. */
  notFoundAgents(actionId: string): Promise<ReadonlySet<string> | undefined>;

  listInvestigators(): Promise<InvestigatorRecord[]>;
  /** Creates or replaces by fingerprint; durable when the promise resolves. */
  saveInvestigator(record: InvestigatorRecord): Promise<void>;

  listAgents(): Promise<StoredAgent[]>;
  /** Creates or replaces by id; lands within the flush interval (heartbeats are cheap to lose). */
  saveAgent(agent: StoredAgent): Promise<void>;

  /** Writes everything still pending. */
  flush(): Promise<void>;
  /** Flushes, then refuses further use. */
  close(): Promise<void>;

  /**
   * Present when several servers share this store (PostgreSQL): what each must read again to
   * see the others' changes, and who owns which open action. Absent for lowdb (one server).
   */
  readonly fleet?: FleetStore;
}

/**
 * What a store shared by several servers adds (fleet-sync.ts polls it). Each server holds a
 * lease row it renews; an open action belongs to the server that created or took it over, and
 * only its owner arms its timers (launch at validFrom, expiry). When an owner's lease runs out
 * (killed, partitioned), the next server to poll takes its open actions over.
 */
export interface FleetStore {
  /** This server's id in the lease table (its stable MQTT client id). */
  readonly serverId: string;
  /**
   * Emits, as this server's own live events, the commands and actions the other servers write,
   * until closed (PostgreSQL: LISTEN/NOTIFY, postgres-live.ts). Resolves once listening, or
   * once a first failure is logged (it keeps trying).
   */
  relayLiveEvents(emit: (event: LiveEvent) => void): Promise<{ close(): Promise<void> }>;
  /** Renews this server's lease for `leaseMs` more (database time). */
  renewLease(leaseMs: number): Promise<void>;
  /** Ends this server's lease at once (a clean stop): its actions are taken over at the next poll. */
  releaseLease(): Promise<void>;
  /**
   * Agents written (by any server) since `cursor` (undefined: every agent), and the cursor for
   * the next call. May repeat an agent: merging is idempotent (registry/merge.ts).
   */
  agentsChangedSince(cursor: string | undefined): Promise<{ agents: StoredAgent[]; cursor: string }>;
  /**
   * Takes over the open actions whose owner holds no live lease, then returns every open
   * action this server owns, each with `isTakenOver` when it was someone else's until now.
   */
  claimOpenActions(): Promise<Array<{ record: ActionRecord; isTakenOver: boolean }>>;
  /**
   * The servers whose lease ran out since anyone last cleaned up after them, each given to one
   * caller only: it forgets their broker sessions and sends unanswered commands again.
   */
  claimDeadServers(): Promise<string[]>;
  /**
   * True when this server may turn the action into commands: nobody else did or is doing it
   * (a server that claimed it and died without a live lease no longer counts). A second server
   * whose lease lapsed while it was still alive thus cannot launch the action a second time.
   */
  claimLaunch(actionId: string): Promise<boolean>;
  /** Records a published policy bundle; the first text stored for a version stays. */
  publishPolicy(version: number, text: string): Promise<void>;
  /** Published policy bundles newer than `afterVersion`, oldest first. */
  policiesAfter(afterVersion: number): Promise<string[]>;
}

export type Durability = 'now' | 'batched';

/** Action statuses that never change again: a late write of another status is dropped (saveAction). */
export const FINAL_ACTION_STATUSES: readonly ActionStatus[] = ['completed', 'expired', 'cancelled', 'invalid'];

export interface Page {
  limit: number;
  offset: number;
}

export interface ActionQuery extends Page {
  /** Only actions in this status (absent: all). */
  status?: ActionStatus;
}

export interface CommandQuery extends Page {
  /** true: found something; false: terminal and found nothing; absent: every command. */
  found?: boolean;
}

/** How an agent last left, when it said so (its last will or a clean shutdown). */
export const OfflineReasonSchema = z.enum(['shutdown', 'lost', 'destroyed']);

/**
 * The registry's record as persisted: the API record plus why the agent went away and, once
 * the agent enrolled, the sha256 of the broker password it chose (never sent to the API).
 */
export const StoredAgentSchema = AgentRecordSchema.extend({
  offlineReason: OfflineReasonSchema.optional(),
  passwordHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type StoredAgent = z.infer<typeof StoredAgentSchema>;

/**
 * Which record of one agent wins when several servers wrote it: the later admin decision
 * (accept, reject, a binding), then the later heartbeat. ISO times of one format compare as
 * strings. The registry merges by it (registry/merge.ts) and PostgreSQL keeps it in a column its
 * upsert compares (postgres-store.ts), so memory and database agree.
 */
export function agentRank(agent: StoredAgent): string {
  // No decision yet (a pending or legacy record) sorts before any decision, at the same width.
  return `${agent.decidedAt ?? '0000-00-00T00:00:00.000Z'}|${agent.lastHeartbeatAt}`;
}
