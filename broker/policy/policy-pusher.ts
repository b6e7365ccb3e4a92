import type { AgentRecord } from '../../protocol/api.js';
import type { PolicyMessage } from '../../protocol/messages.js';
import type { Clock } from '../clock.js';
import type { EventHub } from '../events/event-hub.js';

/** How long before the same bundle version is pushed to the same agent again. */
export const DEFAULT_REPUSH_MS = 5000;

export interface PolicyPusherOptions {
  /** QoS 1 publish on the agent's commands topic. */
  send(agentId: string, message: PolicyMessage): Promise<void>;
  /** Every agent the server knows, with its status and reported policyVersion. */
  agents(): AgentRecord[];
  latest(): { text: string; version: number } | undefined;
  events: EventHub;
  clock: Clock;
  log: (msg: string) => void;
  repushMs?: number;
}

/**
 * Gets the latest bundle to agents: to every connected agent when one is published, and to any
 * agent whose heartbeat reports an older version (it was offline, or new). At most once per
 * agent per version per `repushMs`: an agent that refuses the bundle (baked with other admins)
 * must not turn each of its heartbeats into a push. Agents that report no version (older
 * agents, which do not know the message) get nothing.
 */
export class PolicyPusher {
  private readonly sent = new Map<string, { version: number; atMs: number }>();
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: PolicyPusherOptions) {
    this.unsubscribe = opts.events.subscribe((event) => {
      if (event.type === 'agent') this.offer(event.agent);
    });
  }

  /** After a publish: every agent online or idle now. Returns how many were sent it. */
  pushToConnected(): number {
    let count = 0;
    for (const agent of this.opts.agents()) {
      if ((agent.status === 'online' || agent.status === 'idle') && this.offer(agent)) count += 1;
    }
    return count;
  }

  close(): void {
    this.unsubscribe();
  }

  private offer(agent: AgentRecord): boolean {
    const latest = this.opts.latest();
    if (latest === undefined || agent.policyVersion === undefined || agent.policyVersion >= latest.version)
      return false;
    if (agent.status === 'destroyed' || agent.status === 'offline') return false;
    const nowMs = this.opts.clock.now().getTime();
    const last = this.sent.get(agent.id);
    if (
      last !== undefined &&
      last.version === latest.version &&
      nowMs - last.atMs < (this.opts.repushMs ?? DEFAULT_REPUSH_MS)
    )
      return false;
    this.sent.set(agent.id, { version: latest.version, atMs: nowMs });
    this.opts
      .send(agent.id, { v: 1, kind: 'policy', bundle: latest.text })
      .catch((err: unknown) =>
        this.opts.log(`policy: pushing version ${latest.version} to ${agent.id} failed: ${(err as Error).message}`),
      );
    return true;
  }
}
