import type { AgentRecord } from '../../protocol/api.js';
import { matchesTarget, referencedActions, type TargetContext, type TargetExpr } from '../../protocol/target/index.js';
import type { Store } from '../store/store.js';
import type { AgentRegistry } from './registry.js';
import { agentFacts } from './status.js';

/**
 * found()/notfound() answered from the store. The sets are fetched before evaluation (the
 * target evaluator is synchronous, a database is not); an unknown action stays unknown, so an
 * agent is never targeted because of a typo in an action id.
 */
export async function targetContext(store: Store, expr: TargetExpr): Promise<TargetContext> {
  const found = new Map<string, ReadonlySet<string> | undefined>();
  const notFound = new Map<string, ReadonlySet<string> | undefined>();
  for (const id of referencedActions(expr)) {
    found.set(id, await store.foundAgents(id));
    notFound.set(id, await store.notFoundAgents(id));
  }
  return { found: (id) => found.get(id), notFound: (id) => notFound.get(id) };
}

/** Agents the target is definitely true for. */
export async function selectAgents(registry: AgentRegistry, store: Store, expr: TargetExpr): Promise<AgentRecord[]> {
  const ctx = await targetContext(store, expr);
  return registry.list().filter((agent) => matchesTarget(expr, agentFacts(agent), ctx));
}
