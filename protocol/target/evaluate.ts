import { SERVER_ONLY_FIELDS, type CompareOp, type FieldRef, type Literal, type TargetExpr } from './ast.js';
import { likeMatch } from './like.js';

/**
 * The plain facts every agent reports about itself, under the names targets use; the agent's
 * heartbeat, the server's registry record and the target's facts all carry them alike.
 */
export interface AgentPlatform {
  name: string;
  os: string;
  arch: string;
  version: string;
  mode: string;
  queueloc: string;
}

/** What a target is evaluated against: one agent's own facts. */
export interface AgentFacts extends AgentPlatform {
  id: string;
  environment: Record<string, string>;
  tags: Record<string, string>;
  /** Server side only. */
  status?: string;
  /** Server side only: ISO 8601 time of the last heartbeat. */
  heartbeat?: string;
}

export interface TargetContext {
  /** Agent ids that found something for this action; undefined = not known here (agent side). */
  found?(actionId: string): ReadonlySet<string> | undefined;
  /** Agent ids that ran this action and found nothing; undefined = not known here. */
  notFound?(actionId: string): ReadonlySet<string> | undefined;
  /** Agent side: status, heartbeat, found() and notfound() are unknown rather than NULL-or-false. */
  serverOnlyUnknown?: boolean;
}

/** SQL's three truth values. */
export type Tri = true | false | 'unknown';

/**
 * Evaluates with SQL three-valued (Kleene) logic: a missing fact is NULL, a comparison with
 * NULL is unknown, `not unknown` is unknown, `false and unknown` is false, `true or unknown` is true.
 */
export function evaluateTarget(expr: TargetExpr, agent: AgentFacts, ctx: TargetContext = {}): Tri {
  switch (expr.kind) {
    case 'all':
      return true;
    case 'and':
      return expr.terms.reduce<Tri>(
        (acc, t) => (acc === false ? false : and3(acc, evaluateTarget(t, agent, ctx))),
        true,
      );
    case 'or':
      return expr.terms.reduce<Tri>((acc, t) => (acc === true ? true : or3(acc, evaluateTarget(t, agent, ctx))), false);
    case 'not':
      return not3(evaluateTarget(expr.expr, agent, ctx));
    case 'compare': {
      const actual = factOf(expr.field, agent, ctx);
      return actual === undefined ? 'unknown' : compare(expr.field, actual, expr.op, expr.value);
    }
    case 'like': {
      const actual = factOf(expr.field, agent, ctx);
      if (actual === undefined) return 'unknown';
      return likeMatch(expr.pattern, actual, expr.isCaseInsensitive) !== expr.isNegated;
    }
    case 'in': {
      const actual = factOf(expr.field, agent, ctx);
      if (actual === undefined) return 'unknown';
      // SQL: x IN (a, b) is x = a OR x = b, so an unknown element can still leave the answer unknown.
      const isIn = expr.values.reduce<Tri>((acc, v) => or3(acc, compare(expr.field, actual, '=', v)), false);
      return expr.isNegated ? not3(isIn) : isIn;
    }
    case 'found':
    case 'notfound': {
      if (ctx.serverOnlyUnknown === true) return 'unknown';
      const ids = expr.kind === 'found' ? ctx.found?.(expr.actionId) : ctx.notFound?.(expr.actionId);
      return ids === undefined ? 'unknown' : ids.has(agent.id);
    }
  }
}

/** Server side: an agent is targeted only when the target is definitely true. */
export function matchesTarget(expr: TargetExpr, agent: AgentFacts, ctx?: TargetContext): boolean {
  return evaluateTarget(expr, agent, ctx) === true;
}

function and3(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  return a === true && b === true ? true : 'unknown';
}

function or3(a: Tri, b: Tri): Tri {
  if (a === true || b === true) return true;
  return a === false && b === false ? false : 'unknown';
}

function not3(a: Tri): Tri {
  return a === 'unknown' ? 'unknown' : !a;
}

/** The fact a field names, or undefined for SQL NULL. */
function factOf(field: FieldRef, agent: AgentFacts, ctx: TargetContext): string | undefined {
  if (field.kind === 'map') {
    const map = agent[field.map];
    // Own keys only: `environment->>'constructor'` must not reach Object.prototype.
    const value: unknown = Object.hasOwn(map, field.key) ? map[field.key] : undefined;
    return typeof value === 'string' ? value : undefined;
  }
  if (ctx.serverOnlyUnknown === true && SERVER_ONLY_FIELDS.has(field.name)) return undefined;
  return agent[field.name];
}

// Same shape as the number literals the lexer accepts; Number() alone would also take '0x10' and '1e3'.
const NUMERIC = /^-?[0-9]+(?:\.[0-9]+)?$/;

function compare(field: FieldRef, actual: string, op: CompareOp, value: Literal): Tri {
  const order = orderOf(field, actual, value);
  if (order === undefined) return 'unknown';
  switch (op) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '>=':
      return order >= 0;
  }
}

/**
 * Sign of (actual - value), or undefined when the fact cannot be read as the literal's type
 * (as if SQL's cast had produced NULL): numbers compare numerically, booleans as false < true,
 * heartbeats as instants, other strings by UTF-16 code units.
 */
function orderOf(field: FieldRef, actual: string, value: Literal): number | undefined {
  if (typeof value === 'number') {
    const trimmed = actual.trim();
    return NUMERIC.test(trimmed) ? Math.sign(Number(trimmed) - value) : undefined;
  }
  if (typeof value === 'boolean') {
    const lower = actual.trim().toLowerCase();
    if (lower !== 'true' && lower !== 'false') return undefined;
    return Math.sign(Number(lower === 'true') - Number(value));
  }
  if (field.kind === 'field' && field.name === 'heartbeat') {
    const a = instantOf(actual);
    const b = instantOf(value);
    return Number.isNaN(a) || Number.isNaN(b) ? undefined : Math.sign(a - b);
  }
  return actual < value ? -1 : actual > value ? 1 : 0;
}

/** Milliseconds since the epoch; a time without a zone is read as UTC so server and agent agree. */
function instantOf(text: string): number {
  const iso = text.trim().toUpperCase().replace(' ', 'T');
  const hasTime = iso.includes('T');
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(iso);
  return Date.parse(hasTime && !hasZone ? `${iso}Z` : iso);
}
