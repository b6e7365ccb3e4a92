import { ACTION_LIMITS } from '../limits.js';

/** Plain fields every agent reports; `status` and `heartbeat` are known only to the server. */
export const PLAIN_FIELDS = ['id', 'name', 'os', 'arch', 'version', 'mode', 'status', 'heartbeat', 'queueloc'] as const;
export type PlainField = (typeof PLAIN_FIELDS)[number];

/** JSON-ish maps addressed with `->>'key'`, as in MIG's PostgreSQL targets. */
export const MAP_FIELDS = ['environment', 'tags'] as const;
export type MapField = (typeof MAP_FIELDS)[number];

export function isPlainField(name: string): name is PlainField {
  return (PLAIN_FIELDS as readonly string[]).includes(name);
}

export function isMapField(name: string): name is MapField {
  return (MAP_FIELDS as readonly string[]).includes(name);
}

/** Fields the agent cannot know about itself; they evaluate to unknown on the agent side. */
export const SERVER_ONLY_FIELDS: ReadonlySet<PlainField> = new Set(['status', 'heartbeat']);

export type FieldRef = { kind: 'field'; name: PlainField } | { kind: 'map'; map: MapField; key: string };

/** A literal on the right-hand side. There is no NULL literal: NULL only arises from missing facts. */
export type Literal = string | number | boolean;

/** `<>` is parsed as `!=`, so there is one spelling per operator in the AST. */
export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

/** The target AST, a tagged union on `kind`. `and`/`or` are n-ary (a chain is one node). */
export type TargetExpr =
  | { kind: 'all' }
  | { kind: 'and'; terms: TargetExpr[] }
  | { kind: 'or'; terms: TargetExpr[] }
  | { kind: 'not'; expr: TargetExpr }
  | { kind: 'compare'; field: FieldRef; op: CompareOp; value: Literal }
  | { kind: 'like'; field: FieldRef; pattern: string; isCaseInsensitive: boolean; isNegated: boolean }
  | { kind: 'in'; field: FieldRef; values: Literal[]; isNegated: boolean }
  | { kind: 'found'; actionId: string }
  | { kind: 'notfound'; actionId: string };

/**
 * Longest target accepted, in UTF-16 code units: the action's limit (protocol/limits.ts), so the
 * parser and the action schema cannot disagree. Targets are attacker-controlled on agents.
 */
export const MAX_TARGET_LENGTH = ACTION_LIMITS.maxTargetChars;
/** Deepest nesting of parentheses and `not` accepted, so evaluation recursion stays bounded. */
export const MAX_TARGET_DEPTH = 64;

/** Action ids named by `found()`/`notfound()`, each once, in order of first appearance. */
export function referencedActions(expr: TargetExpr): string[] {
  const ids = new Set<string>();
  const visit = (e: TargetExpr): void => {
    if (e.kind === 'found' || e.kind === 'notfound') ids.add(e.actionId);
    else if (e.kind === 'and' || e.kind === 'or') e.terms.forEach(visit);
    else if (e.kind === 'not') visit(e.expr);
  };
  visit(expr);
  return [...ids];
}
