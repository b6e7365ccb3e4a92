/**
 * The target language: which agents an action is for. A SQL-WHERE subset that reads like MIG's
 * targets, parsed here (no I/O) and evaluated by the server over its registry and by each agent
 * over itself, with server-only terms unknown.
 */
export {
  MAP_FIELDS,
  MAX_TARGET_DEPTH,
  MAX_TARGET_LENGTH,
  PLAIN_FIELDS,
  SERVER_ONLY_FIELDS,
  referencedActions,
  type CompareOp,
  type FieldRef,
  type Literal,
  type MapField,
  type PlainField,
  type TargetExpr,
} from './ast.js';
export { TargetError, type TargetErrorCode } from './errors.js';
export {
  evaluateTarget,
  matchesTarget,
  type AgentFacts,
  type AgentPlatform,
  type TargetContext,
  type Tri,
} from './evaluate.js';
export { DEFAULT_TARGET } from './default-target.js';
export { formatTarget } from './format.js';
export { likeMatch } from './like.js';
export { parseTarget } from './parser.js';
