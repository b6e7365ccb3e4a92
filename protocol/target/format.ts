import type { FieldRef, Literal, TargetExpr } from './ast.js';

/**
 * Canonical text for a target: lowercase keywords, `!=` for `<>`, single-quoted strings, and
 * only the parentheses the structure needs. `parseTarget(formatTarget(e))` gives back `e`.
 */
export function formatTarget(expr: TargetExpr): string {
  switch (expr.kind) {
    case 'all':
      return 'all';
    case 'and':
      // An `and` or `or` inside an `and` only exists if it was parenthesised; keep it that way.
      return expr.terms.map((t) => wrapIf(t, t.kind === 'and' || t.kind === 'or')).join(' and ');
    case 'or':
      return expr.terms.map((t) => wrapIf(t, t.kind === 'or')).join(' or ');
    case 'not':
      return `not ${wrapIf(expr.expr, expr.expr.kind === 'and' || expr.expr.kind === 'or')}`;
    case 'compare':
      return `${formatField(expr.field)} ${expr.op} ${formatLiteral(expr.value)}`;
    case 'like':
      return `${formatField(expr.field)} ${expr.isNegated ? 'not ' : ''}${expr.isCaseInsensitive ? 'ilike' : 'like'} ${quote(expr.pattern)}`;
    case 'in':
      return `${formatField(expr.field)} ${expr.isNegated ? 'not ' : ''}in (${expr.values.map(formatLiteral).join(', ')})`;
    case 'found':
    case 'notfound':
      return `${expr.kind}(${quote(expr.actionId)})`;
  }
}

function wrapIf(expr: TargetExpr, isNeeded: boolean): string {
  const text = formatTarget(expr);
  return isNeeded ? `(${text})` : text;
}

function formatField(field: FieldRef): string {
  return field.kind === 'field' ? field.name : `${field.map}->>${quote(field.key)}`;
}

function formatLiteral(value: Literal): string {
  return typeof value === 'string' ? quote(value) : String(value);
}

/** SQL string literal: the only escape is a doubled quote. */
function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
