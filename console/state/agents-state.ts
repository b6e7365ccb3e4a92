import { targetFactsOf } from '../../protocol/agent-facts.js';
import type { AgentFacts } from '../../protocol/target/index.js';
import type { AgentCount, AgentRecord } from './backend.js';

// Alike on purpose (duplicates): each store's state (actions-state.ts has the same outline: by id,
// loaded, load error) with its own record and reducers.
/**
 * The agents the console knows, by id. Reducers return new objects; live heartbeats arrive in
 * batches (one reducer call per frame), so copying the map stays cheap even at 10,000 agents.
 */
export interface AgentsState {
  byId: ReadonlyMap<string, AgentRecord>;
  isLoaded: boolean;
  loadError: string | undefined;
}

export const emptyAgents: AgentsState = { byId: new Map(), isLoaded: false, loadError: undefined };

export function loadedAgents(agents: readonly AgentRecord[]): AgentsState {
  return { byId: new Map(agents.map((a) => [a.id, a])), isLoaded: true, loadError: undefined };
}

export function upsertAgents(state: AgentsState, agents: readonly AgentRecord[]): AgentsState {
  if (agents.length === 0) return state;
  const byId = new Map(state.byId);
  for (const agent of agents) {
    // A rejected enrollment leaves the table, like a destroyed agent.
    if (agent.status === 'destroyed' || agent.enrollment === 'rejected') byId.delete(agent.id);
    else byId.set(agent.id, agent);
  }
  return { ...state, byId };
}

export function agentsLoadFailed(state: AgentsState, message: string): AgentsState {
  return { ...state, isLoaded: true, loadError: message };
}

const countCache = new WeakMap<AgentsState, AgentCount>();

export function agentCounts(state: AgentsState): AgentCount {
  const cached = countCache.get(state);
  if (cached !== undefined) return cached;
  const counts: AgentCount = { total: 0, online: 0, idle: 0, offline: 0 };
  for (const agent of state.byId.values()) {
    // Pending enrollments are not part of the fleet: never counted, never targeted.
    if (agent.enrollment === 'pending') continue;
    counts.total++;
    if (agent.status === 'online' || agent.status === 'idle' || agent.status === 'offline') counts[agent.status]++;
  }
  countCache.set(state, counts);
  return counts;
}

const listCache = new WeakMap<AgentsState, readonly AgentRecord[]>();

export function agentList(state: AgentsState): readonly AgentRecord[] {
  const cached = listCache.get(state);
  if (cached !== undefined) return cached;
  const list = [...state.byId.values()];
  listCache.set(state, list);
  return list;
}

/** What the target language evaluates: the record's facts with the server-side status and heartbeat. */
export function agentFacts(agent: AgentRecord): AgentFacts {
  return targetFactsOf(agent, agent);
}
