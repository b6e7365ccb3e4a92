import {
  ALL_ENROLL_REQUESTS,
  commandsTopic,
  heartbeatTopic,
  parseAgentTopic,
  parseEnrollTopic,
  resultsTopic,
  type TopicKind,
} from '../../protocol/topics.js';

/**
 * The broker's topic ACL: a pure table from (principal, action, topic) to allow or deny.
 * Deny by default: a request is allowed only when one row of RULES grants it. No aedes types
 * here; hooks.ts is the only caller.
 */

/** Who is asking: established once, at CONNECT, by authenticate.ts. */
export type Principal =
  | { role: 'agent'; agentId: string }
  /** Holds the enrollment secret only: may ask to enroll `agentId` and hear the answer. */
  | { role: 'enrollee'; agentId: string }
  | { role: 'server'; clientId: string };
export type Role = Principal['role'];
export type AclAction = 'publish' | 'subscribe';

/**
 * `filter` is what the broker should actually register: the topic itself, or for a shared
 * subscription (`$share/<group>/<filter>`) the inner filter.
 */
export type AclDecision = { allow: true; filter: string; isShared: boolean } | { allow: false; reason: string };

/**
 * Which agent ids a row covers:
 * - `own`: exactly the connected agent's id;
 * - `any-agent`: any single concrete agent id (no wildcard);
 * - `all-agents`: any concrete id or the `+` wildcard in the id level.
 */
type Scope = 'own' | 'any-agent' | 'all-agents';

/** Agent topics plus the two enrollment topics. */
type RuleKind = TopicKind | 'enroll-request' | 'enroll-status';

interface Rule {
  role: Role;
  action: AclAction;
  kind: RuleKind;
  scope: Scope;
}

/** Every permission there is. Anything not listed here is refused. */
export const RULES: readonly Rule[] = [
  { role: 'server', action: 'publish', kind: 'commands', scope: 'any-agent' },
  { role: 'server', action: 'subscribe', kind: 'results', scope: 'all-agents' },
  { role: 'server', action: 'subscribe', kind: 'heartbeat', scope: 'all-agents' },
  { role: 'agent', action: 'subscribe', kind: 'commands', scope: 'own' },
  { role: 'agent', action: 'publish', kind: 'results', scope: 'own' },
  // The agent's last will (an OfflineMessage) goes here too: wills are checked as publishes.
  { role: 'agent', action: 'publish', kind: 'heartbeat', scope: 'own' },
  // Enrollment: only the server reads requests (they carry the password the agent chose).
  { role: 'server', action: 'subscribe', kind: 'enroll-request', scope: 'all-agents' },
  { role: 'server', action: 'publish', kind: 'enroll-status', scope: 'any-agent' },
  { role: 'enrollee', action: 'publish', kind: 'enroll-request', scope: 'own' },
  { role: 'enrollee', action: 'subscribe', kind: 'enroll-status', scope: 'own' },
];

const SHARE_PREFIX = '$share/';
const WILDCARD = '+';

/** `mig/agents/+/<kind>`: the only wildcard filters we recognise at all. */
const WILDCARD_FILTERS: ReadonlyMap<string, RuleKind> = new Map<string, RuleKind>([
  [commandsTopic(WILDCARD), 'commands'],
  [resultsTopic(WILDCARD), 'results'],
  [heartbeatTopic(WILDCARD), 'heartbeat'],
  [ALL_ENROLL_REQUESTS, 'enroll-request'],
]);

export function checkTopic(principal: Principal, action: AclAction, topic: string): AclDecision {
  if (topic.startsWith('$SYS')) return deny('$SYS topics are reserved to the broker');
  if (topic.startsWith(SHARE_PREFIX)) return checkShared(principal, action, topic);
  return checkPlain(principal, action, topic);
}

/**
 * `$share/<group>/<filter>`: shared subscriptions let several servers split the result stream
 * (MQTT 5 §4.8.2, also accepted on 3.1.1 by Mosquitto, EMQX, VerneMQ). Servers only.
 */
function checkShared(principal: Principal, action: AclAction, topic: string): AclDecision {
  if (principal.role !== 'server' || action !== 'subscribe') {
    return deny('shared subscriptions are for servers only');
  }
  const rest = topic.slice(SHARE_PREFIX.length);
  const slash = rest.indexOf('/');
  const group = slash > 0 ? rest.slice(0, slash) : '';
  // [MQTT-4.8.2-2] the share name cannot contain '/', '+' or '#'.
  if (group === '' || /[+#]/.test(group)) return deny('malformed shared subscription group');
  const inner = checkPlain(principal, action, rest.slice(slash + 1));
  return inner.allow ? { ...inner, isShared: true } : inner;
}

function checkPlain(principal: Principal, action: AclAction, topic: string): AclDecision {
  if (topic.startsWith('$')) return deny('$-topics are reserved');
  const target = parseFilter(topic);
  if (!target) return deny('not a mig agent topic');
  const rule = RULES.find((r) => r.role === principal.role && r.action === action && r.kind === target.kind);
  if (!rule) return deny(`${principal.role} may not ${action} ${target.kind} topics`);
  if (!inScope(rule.scope, principal, target.agentId)) {
    return deny(
      target.agentId === WILDCARD
        ? `${principal.role} may not use a wildcard for ${target.kind} topics`
        : `${principal.role} may not ${action} another agent's ${target.kind} topic`,
    );
  }
  return { allow: true, filter: topic, isShared: false };
}

function parseFilter(topic: string): { agentId: string; kind: RuleKind } | undefined {
  const wildcardKind = WILDCARD_FILTERS.get(topic);
  if (wildcardKind) return { agentId: WILDCARD, kind: wildcardKind };
  const enroll = parseEnrollTopic(topic);
  if (enroll) return { agentId: enroll.agentId, kind: enroll.kind === 'request' ? 'enroll-request' : 'enroll-status' };
  return parseAgentTopic(topic);
}

function inScope(scope: Scope, principal: Principal, agentId: string): boolean {
  switch (scope) {
    case 'all-agents':
      return true;
    case 'any-agent':
      return agentId !== WILDCARD;
    case 'own':
      return (principal.role === 'agent' || principal.role === 'enrollee') && agentId === principal.agentId;
  }
}

function deny(reason: string): AclDecision {
  return { allow: false, reason };
}
