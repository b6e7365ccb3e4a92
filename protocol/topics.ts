/** The only place MQTT topic strings are built or parsed. Agent ids are kebab/hex safe. */
export const TOPIC_ROOT = 'mig/agents';

export const AGENT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;

export function commandsTopic(agentId: string): string {
  return `${TOPIC_ROOT}/${agentId}/commands`;
}
export function resultsTopic(agentId: string): string {
  return `${TOPIC_ROOT}/${agentId}/results`;
}
export function heartbeatTopic(agentId: string): string {
  return `${TOPIC_ROOT}/${agentId}/heartbeat`;
}
/** Server subscriptions: every agent's results and heartbeats. */
export const ALL_RESULTS = `${TOPIC_ROOT}/+/results`;
export const ALL_HEARTBEATS = `${TOPIC_ROOT}/+/heartbeat`;

export type TopicKind = 'commands' | 'results' | 'heartbeat';

/** Parses `mig/agents/<id>/<kind>`; anything else (wildcards included) is undefined. */
export function parseAgentTopic(topic: string): { agentId: string; kind: TopicKind } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return undefined;
  const agentId = parts[2] ?? '';
  const kind = parts[3];
  if (!AGENT_ID_PATTERN.test(agentId)) return undefined;
  if (kind !== 'commands' && kind !== 'results' && kind !== 'heartbeat') return undefined;
  return { agentId, kind };
}

/**
 * Enrollment topics (per-agent identity). An enrollee — a process that holds the fleet's
 * enrollment secret but no accepted credential yet — publishes one signed request on its own
 * request topic and listens on its own status topic. Only the server reads requests: the
 * request carries the broker password the agent chose.
 */
export const ENROLL_ROOT = 'mig/enroll';
export type EnrollTopicKind = 'request' | 'status';

export function enrollRequestTopic(agentId: string): string {
  return `${ENROLL_ROOT}/${agentId}/request`;
}
export function enrollStatusTopic(agentId: string): string {
  return `${ENROLL_ROOT}/${agentId}/status`;
}
/** The server's subscription: every enrollment request. */
export const ALL_ENROLL_REQUESTS = `${ENROLL_ROOT}/+/request`;

/** Parses `mig/enroll/<id>/<request|status>`; anything else (wildcards included) is undefined. */
export function parseEnrollTopic(topic: string): { agentId: string; kind: EnrollTopicKind } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== ENROLL_ROOT) return undefined;
  const agentId = parts[2] ?? '';
  const kind = parts[3];
  if (!AGENT_ID_PATTERN.test(agentId)) return undefined;
  if (kind !== 'request' && kind !== 'status') return undefined;
  return { agentId, kind };
}
