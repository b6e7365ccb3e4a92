import { PolicyError } from '../../protocol/errors.js';
import { evaluateTarget, parseTarget, type AgentFacts, type TargetExpr } from '../../protocol/target/index.js';

/**
 * Step 6: the agent re-evaluates the signed target over its own facts, so a server cannot
 * aim an action at hosts the investigator did not choose. Server-only terms (status,
 * heartbeat, found) are unknown here, and only a definite false refuses. A target that does
 * not parse is refused too: we cannot tell whom it meant.
 */
export function checkTarget(target: string, facts: AgentFacts): void {
  let expr: TargetExpr;
  try {
    expr = parseTarget(target);
  } catch (err) {
    throw new PolicyError('TARGET_EXCLUDES_AGENT', `target does not parse, refusing: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (evaluateTarget(expr, facts, { serverOnlyUnknown: true }) === false) {
    throw new PolicyError(
      'TARGET_EXCLUDES_AGENT',
      `target ${JSON.stringify(target)} is false for agent ${facts.id} (${facts.os}/${facts.arch})`,
    );
  }
}
