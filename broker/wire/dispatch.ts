import { parseAgentTopic, parseEnrollTopic } from '../../protocol/topics.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { ResultArrival } from '../scheduler/answer-signature.js';
import type { AgentResult, Scheduler } from '../scheduler/scheduler.js';
import type { LinkMessage } from './server-link.js';

/**
 * Routes a group of messages from the server's subscriptions by topic: results to the
 * scheduler in one batch (the promise settles once they are all stored), heartbeats and
 * offline notices to the registry, enrollment requests to the enroller. The agent id comes
 * from the topic, which the broker ACL guarantees; never from the payload. The link says how
 * the group arrived (its `arrival`), which decides whether results' signatures are verified.
 */
export function dispatcher(
  scheduler: Scheduler,
  registry: AgentRegistry,
  log: (msg: string) => void,
  enroll: (agentId: string, payload: Buffer) => Promise<void>,
): (messages: LinkMessage[], arrival: ResultArrival) => Promise<void> {
  return async (messages, arrival) => {
    const results: AgentResult[] = [];
    // The registry and the enroller may answer now or later: either way the group waits for them.
    const others: unknown[] = [];
    for (const { topic, payload } of messages) {
      const parsed = parseAgentTopic(topic);
      const enrollment = parsed === undefined ? parseEnrollTopic(topic) : undefined;
      if (parsed?.kind === 'results') results.push({ agentId: parsed.agentId, payload });
      else if (parsed?.kind === 'heartbeat') others.push(registry.handleHeartbeatTopic(parsed.agentId, payload));
      else if (enrollment?.kind === 'request') others.push(enroll(enrollment.agentId, payload));
      else log(`link: dropped a message on unexpected topic ${JSON.stringify(topic.slice(0, 200))}`);
    }
    await Promise.all([...others, results.length > 0 ? scheduler.handleResults(results, arrival) : undefined]);
  };
}
