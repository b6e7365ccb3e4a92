import { parseAgentTopic, parseEnrollTopic } from '../../protocol/topics.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { Scheduler } from '../scheduler/scheduler.js';

/**
 * Routes what arrives on the server's subscriptions by topic: results to the scheduler (the
 * promise settles once the result is stored), heartbeats and offline notices to the registry,
 * enrollment requests to the enroller.
 * The agent id comes from the topic, which the broker ACL guarantees; never from the payload.
 */
export function dispatcher(
  scheduler: Scheduler,
  registry: AgentRegistry,
  log: (msg: string) => void,
  enroll: (agentId: string, payload: Buffer) => Promise<void>,
): (topic: string, payload: Buffer) => Promise<void> {
  return async (topic, payload) => {
    const parsed = parseAgentTopic(topic);
    if (parsed?.kind === 'results') return scheduler.handleResult(parsed.agentId, payload);
    if (parsed?.kind === 'heartbeat') return registry.handleHeartbeatTopic(parsed.agentId, payload);
    const enrollment = parseEnrollTopic(topic);
    if (enrollment?.kind === 'request') return enroll(enrollment.agentId, payload);
    log(`link: dropped a message on unexpected topic ${JSON.stringify(topic.slice(0, 200))}`);
  };
}
