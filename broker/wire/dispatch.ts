import { parseAgentTopic } from '../../protocol/topics.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { AgentResult, Scheduler } from '../scheduler/scheduler.js';
import type { LinkMessage } from './server-link.js';

/**
 * Routes a group of messages from the server's subscriptions by topic: results to the
 * scheduler in one batch (the promise settles once they are all stored), heartbeats and
 * offline notices to the registry. The agent id comes from the topic, which the broker ACL
 * guarantees; never from the payload.
 */
export function dispatcher(
  scheduler: Scheduler,
  registry: AgentRegistry,
  log: (msg: string) => void,
): (messages: LinkMessage[]) => Promise<void> {
  return async (messages) => {
    const results: AgentResult[] = [];
    // The registry may answer now or later: either way the group waits for it.
    const heartbeats: unknown[] = [];
    for (const { topic, payload } of messages) {
      const parsed = parseAgentTopic(topic);
      if (parsed?.kind === 'results') results.push({ agentId: parsed.agentId, payload });
      else if (parsed?.kind === 'heartbeat') heartbeats.push(registry.handleHeartbeatTopic(parsed.agentId, payload));
      else log(`link: dropped a message on unexpected topic ${JSON.stringify(topic.slice(0, 200))}`);
    }
    await Promise.all([...heartbeats, results.length > 0 ? scheduler.handleResults(results) : undefined]);
  };
}
