import type { AgentRecord, AgentStatus } from '../../protocol/api.js';
import { targetFactsOf } from '../../protocol/agent-facts.js';
import type { AgentFacts } from '../../protocol/target/index.js';
import type { StoredAgent } from '../store/store.js';

/** A heartbeat younger than this many intervals means online; younger than IDLE_AFTER, idle. */
export const ONLINE_WITHIN_BEATS = 2;
export const IDLE_WITHIN_BEATS = 10;

/**
 * Status from the age of the last heartbeat, measured in the agent's own heartbeat intervals,
 * unless the agent said it left (its last will or a clean shutdown), which wins until it
 * beats again.
 */
export function agentStatus(
  agent: Pick<StoredAgent, 'lastHeartbeatAt' | 'heartbeatMs' | 'offlineReason'>,
  nowMs: number,
): AgentStatus {
  return agentStatusAt(agent, Date.parse(agent.lastHeartbeatAt), nowMs);
}

/** agentStatus with the last heartbeat already as epoch ms (the registry's sweep keeps it so). */
export function agentStatusAt(
  agent: Pick<StoredAgent, 'heartbeatMs' | 'offlineReason'>,
  lastHeartbeatMs: number,
  nowMs: number,
): AgentStatus {
  if (agent.offlineReason === 'destroyed') return 'destroyed';
  if (agent.offlineReason !== undefined) return 'offline';
  const ageMs = nowMs - lastHeartbeatMs;
  if (ageMs < ONLINE_WITHIN_BEATS * agent.heartbeatMs) return 'online';
  if (ageMs < IDLE_WITHIN_BEATS * agent.heartbeatMs) return 'idle';
  return 'offline';
}

/** The API record: what is stored, with the status as of now. */
export function toAgentRecord(agent: StoredAgent, nowMs: number): AgentRecord {
  // The password hash never leaves the server's memory and store.
  const { offlineReason: _reason, passwordHash: _secret, ...record } = agent;
  return { ...record, status: agentStatus(agent, nowMs) };
}

/** What a target is evaluated against on the server: the agent's facts plus status and heartbeat. */
export function agentFacts(record: AgentRecord): AgentFacts {
  return targetFactsOf(record, record);
}
