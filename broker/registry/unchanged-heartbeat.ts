import { HeartbeatMessageSchema, MESSAGE_VERSION } from '../../protocol/messages.js';
import type { StoredAgent } from '../store/store.js';

/**
 * The registry's fast path for the message it receives most: a heartbeat that says exactly
 * what the agent's previous heartbeat said, but for its sentAt. At 10,000 agents that is a few
 * hundred a second, and the full zod parse was the largest share of the server's idle CPU.
 *
 * Validation is not dropped, it is reused: `previous` holds the fields of a heartbeat that
 * passed the full schema (the registry only asks for records it built from one). A message
 * whose JSON has exactly the same keys and values, sentAt aside, is therefore one the schema
 * accepts, with the same data; sentAt is checked with the schema's own field. Anything else
 * (a changed fact, an extra or missing key, not JSON, an offline notice) answers false, and the
 * caller parses it fully, with the full error when it is bad.
 */
export function isUnchangedHeartbeat(text: string, previous: StoredAgent): boolean {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return false;
  }
  if (!isPlainObject(raw)) return false;
  // The agent's own RSS and CPU (watchdog) change at every beat: checked with the schema's own
  // field, like sentAt, so they do not send every heartbeat down the slow path.
  const hasResources = Object.hasOwn(raw, 'resources');
  if (Object.keys(raw).length !== expectedKeyCount(previous) + (hasResources ? 1 : 0)) return false;
  if (hasResources && !HeartbeatMessageSchema.shape.resources.safeParse(raw.resources).success) return false;
  return (
    raw.v === MESSAGE_VERSION &&
    raw.kind === 'heartbeat' &&
    raw.agentId === previous.id &&
    raw.name === previous.name &&
    raw.os === previous.os &&
    raw.arch === previous.arch &&
    raw.version === previous.version &&
    raw.mode === previous.mode &&
    raw.queueloc === previous.queueloc &&
    raw.heartbeatMs === previous.heartbeatMs &&
    raw.startedAt === previous.startedAt &&
    raw.policyVersion === previous.policyVersion &&
    sameJson(raw.environment, previous.environment) &&
    sameJson(raw.tags, previous.tags) &&
    sameJson(raw.modules, previous.modules) &&
    HeartbeatMessageSchema.shape.sentAt.safeParse(raw.sentAt).success
  );
}

/** v, kind, agentId, 11 facts and sentAt; policyVersion when the agent reports one. */
function expectedKeyCount(previous: StoredAgent): number {
  return previous.policyVersion === undefined ? 15 : 16;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality of JSON values (own keys, any order), as JSON.parse produces them. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (!isPlainObject(a) || !isPlainObject(b) || Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.hasOwn(b, key) || !sameJson(a[key], b[key])) return false;
  return true;
}
