import type { LiveEvent } from '../protocol/api.js';
import type { Investigators } from './auth/investigators.js';
import type { PolicyService } from './policy/policy-service.js';
import type { AgentRegistry } from './registry/registry.js';
import type { Scheduler } from './scheduler/scheduler.js';
import type { FleetStore } from './store/store.js';

export interface FleetSyncOptions {
  fleet: FleetStore;
  registry: AgentRegistry;
  investigators: Investigators;
  scheduler: Scheduler;
  policy: PolicyService;
  log: (msg: string) => void;
  /** How often the shared store is polled (default 2 s). */
  syncMs?: number;
  /** How long this server counts as alive after a renewal (default 15 s; keep it several syncMs). */
  leaseMs?: number;
  /**
   * Ends a dead server's session on an external broker, shared results queued in it included
   * (Mosquitto keeps handing a share of them to an offline durable session). Absent for the
   * embedded broker, whose sessions died with their server.
   */
  forgetSession?: (serverId: string) => Promise<void>;
  /** Where the other servers' results and actions go as live events (this server's EventHub). */
  live?: (event: LiveEvent) => void;
}

export const DEFAULT_SYNC_MS = 2000;
export const DEFAULT_LEASE_MS = 15_000;

/**
 * What keeps several servers on one PostgreSQL store in step (only when the store is shared:
 * lowdb has no `fleet`, and this never runs). Every syncMs it renews this server's lease, reads
 * the agents any server changed since the last poll (registry.refresh merges them: newest wins),
 * reads the investigators again and the policy bundles other servers published, and lets the scheduler take over the open actions of servers
 * whose lease ran out. The first server to see a lease run out also cleans up after that server
 * (its broker session forgotten, every unanswered command sent again). Polling, not LISTEN/NOTIFY: a missed notification would need a poll anyway,
 * and a poll every few seconds costs a few small queries. Live events are the exception: a
 * console wants results as they land, so those come by LISTEN/NOTIFY (relayLiveEvents), and a
 * missed one costs only a late screen update (`mig` commands following an action also poll).
 */
export class FleetSync {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private cursor: string | undefined;
  private isClosed = false;
  private readonly syncMs: number;
  private readonly leaseMs: number;
  private relay: { close(): Promise<void> } | undefined;

  constructor(private readonly opts: FleetSyncOptions) {
    this.syncMs = opts.syncMs ?? DEFAULT_SYNC_MS;
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Takes the lease before the scheduler claims anything (scheduler.start). */
  async renewLease(): Promise<void> {
    await this.opts.fleet.renewLease(this.leaseMs);
  }

  /** Relays the other servers' live events (listening once this resolves), then polls now and every syncMs, one poll at a time. */
  async start(): Promise<void> {
    if (this.opts.live !== undefined) this.relay = await this.opts.fleet.relayLiveEvents(this.opts.live);
    const loop = (): void => {
      this.running = this.poll().finally(() => {
        if (!this.isClosed) {
          this.timer = setTimeout(loop, this.syncMs);
          this.timer.unref();
        }
      });
    };
    loop();
  }

  /** One poll; each step's failure is logged and the next step still runs. */
  async poll(): Promise<void> {
    await this.step('renewing the lease', () => this.renewLease());
    await this.step('cleaning up after dead servers', async () => {
      const dead = await this.opts.fleet.claimDeadServers();
      if (dead.length === 0) return;
      for (const id of dead) {
        this.opts.log(`fleet: server ${id} stopped renewing its lease; cleaning up after it`);
        await this.opts.forgetSession?.(id);
      }
      // Results it had received but not stored, or that its session still held, are lost with
      // it: every unanswered command is sent again, and agents answer again from their journal.
      await this.opts.scheduler.redeliverOpen();
    });
    await this.step('reading changed agents', async () => {
      const { agents, cursor } = await this.opts.fleet.agentsChangedSince(this.cursor);
      this.opts.registry.refresh(agents);
      this.cursor = cursor;
    });
    await this.step('reading investigators', () => this.opts.investigators.reload());
    await this.step('reading policy bundles', async () => {
      const texts = await this.opts.fleet.policiesAfter(this.opts.policy.latest()?.version ?? 0);
      if (texts.length > 0) await this.opts.policy.adoptPublished(texts);
    });
    await this.step('adopting open actions', () => this.opts.scheduler.adoptOpenActions());
  }

  private async step(what: string, work: () => Promise<void>): Promise<void> {
    if (this.isClosed) return;
    try {
      await work();
    } catch (err) {
      this.opts.log(`fleet: ${what} failed: ${(err as Error).message}`);
    }
  }

  /** Stops polling and ends the lease, so another server takes this one's open actions over at once. */
  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.timer);
    await this.running;
    await this.relay?.close();
    await this.opts.fleet
      .releaseLease()
      .catch((err: unknown) => this.opts.log(`fleet: releasing the lease failed: ${(err as Error).message}`));
  }
}
