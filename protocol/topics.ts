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

const SLASH = 0x2f;

/** `<root>/<agent id>/<kind>` with one of `kinds`; anything else (wildcards included) is undefined. */
function parseIdTopic<K extends string>(
  topic: string,
  root: string,
  kinds: readonly K[],
): { agentId: string; kind: K } | undefined {
  // The root first, without splitting: the broker's ACL tries the enrollment root on every
  // agent publish (a command, a result) before the agents' root. Both roots are two levels, so
  // past this check the first two parts are the root's.
  if (!topic.startsWith(root) || topic.charCodeAt(root.length) !== SLASH) return undefined;
  const parts = topic.split('/');
  if (parts.length !== 4) return undefined;
  const agentId = parts[2] ?? '';
  const kind = kinds.find((k) => k === parts[3]);
  if (!AGENT_ID_PATTERN.test(agentId) || kind === undefined) return undefined;
  return { agentId, kind };
}

const AGENT_TOPIC_KINDS: readonly TopicKind[] = ['commands', 'results', 'heartbeat'];

/** Parses `mig/agents/<id>/<kind>`; anything else (wildcards included) is undefined. */
export function parseAgentTopic(topic: string): { agentId: string; kind: TopicKind } | undefined {
  return parseIdTopic(topic, TOPIC_ROOT, AGENT_TOPIC_KINDS);
}

/**
 * Enrollment topics (per-agent identity). An enrollee — a process that holds the fleet's
 * enrollment secret but no accepted credential yet — publishes one signed request on its own
 * request topic and listens on its own status topic. Only the server reads requests: the
 * request carries the broker password the agent chose.
 */
export const ENROLL_ROOT = 'mig/enroll';
export type EnrollTopicKind = 'request' | 'status';
const ENROLL_TOPIC_KINDS: readonly EnrollTopicKind[] = ['request', 'status'];

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
  return parseIdTopic(topic, ENROLL_ROOT, ENROLL_TOPIC_KINDS);
}
