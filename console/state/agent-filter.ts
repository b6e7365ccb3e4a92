import {
  TargetError,
  matchesTarget,
  parseTarget,
  type TargetContext,
  type TargetExpr,
} from '../../protocol/target/index.js';
import { agentFacts, agentList, type AgentsState } from './agents-state.js';
import type { AgentRecord } from './backend.js';
import { errorText } from './text.js';

/** A `/` filter on the agents view is a target expression, evaluated locally over loaded agents. */
export type CompiledFilter = { kind: 'none' } | { kind: 'ok'; expr: TargetExpr } | { kind: 'error'; message: string };

const compiled = new Map<string, CompiledFilter>();

export function compileAgentFilter(text: string): CompiledFilter {
  if (text.trim() === '') return { kind: 'none' };
  const cached = compiled.get(text);
  if (cached !== undefined) return cached;
  let result: CompiledFilter;
  try {
    result = { kind: 'ok', expr: parseTarget(text) };
  } catch (err) {
    // The parser's message names the column and what it expected; show it where the person types.
    result = {
      kind: 'error',
      message: err instanceof TargetError ? err.message.replace(/^target: /, '') : errorText(err),
    };
  }
  // Typing produces one entry per keystroke; a small cache is plenty.
  if (compiled.size > 200) compiled.clear();
  compiled.set(text, result);
  return result;
}

let last:
  { state: AgentsState; expr: TargetExpr; ctx: TargetContext | undefined; out: readonly AgentRecord[] } | undefined;

/** Agents matching a parsed filter; found()/notfound() only know actions opened in this console. */
export function filterAgents(
  state: AgentsState,
  expr: TargetExpr | undefined,
  ctx?: TargetContext,
): readonly AgentRecord[] {
  const all = agentList(state);
  if (expr === undefined) return all;
  if (last !== undefined && last.state === state && last.expr === expr && last.ctx === ctx) return last.out;
  const out = all.filter((a) => matchesTarget(expr, agentFacts(a), ctx));
  last = { state, expr, ctx, out };
  return out;
}

/**
 * The filter the table uses: the draft being typed when it parses, otherwise the applied one,
 * so a half-typed expression never blanks the table.
 */
export function effectiveFilter(
  applied: string,
  draft: string | undefined,
): { expr: TargetExpr | undefined; error: string | undefined } {
  const appliedResult = compileAgentFilter(applied);
  const appliedExpr = appliedResult.kind === 'ok' ? appliedResult.expr : undefined;
  if (draft === undefined)
    return { expr: appliedExpr, error: appliedResult.kind === 'error' ? appliedResult.message : undefined };
  const draftResult = compileAgentFilter(draft);
  if (draftResult.kind === 'none') return { expr: undefined, error: undefined };
  if (draftResult.kind === 'ok') return { expr: draftResult.expr, error: undefined };
  return { expr: appliedExpr, error: draftResult.message };
}
