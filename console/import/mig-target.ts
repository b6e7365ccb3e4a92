import { TargetError, formatTarget, parseTarget, type FieldRef, type TargetExpr } from '../../protocol/target/index.js';

/**
 * Turns a MIG target (a PostgreSQL WHERE fragment over MIG's `agents` table) into our target
 * language. Only the common, self-contained forms translate; anything that needs PostgreSQL
 * itself (subqueries, casts, NOW(), other functions) is refused with a hint rather than guessed at,
 * because a wrong guess would send an action to the wrong machines.
 */
export function translateMigTarget(src: string): string {
  const code = maskStrings(src);
  for (const rule of UNSUPPORTED) {
    for (const m of code.matchAll(rule.pattern)) {
      if (rule.isMatchUnsupported?.(m) ?? true) {
        throw unsupported(src, `${rule.describe(m)} at column ${m.index + 1} is not supported`, m.index);
      }
    }
  }
  // Same-length rename keeps every column in parser errors pointing into the MIG text.
  const renamed = src.replace(/\b(agents\.)?heartbeattime\b/gi, (match, prefix: string | undefined, offset: number) =>
    code.slice(offset, offset + match.length) === match ? `${prefix ?? ''}heartbeat    ` : match,
  );
  let expr: TargetExpr;
  try {
    expr = parseTarget(renamed);
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    throw unsupported(src, err.message.replace(/^target: /, ''), err.position, err);
  }
  return formatTarget(rewrite(expr));
}

interface UnsupportedRule {
  /** Global, so every occurrence is checked, not only the first. */
  pattern: RegExp;
  describe(m: RegExpExecArray): string;
  isMatchUnsupported?(m: RegExpExecArray): boolean;
}

// Words that may sit before '(' without being a function call.
const NOT_FUNCTIONS = new Set(['in', 'and', 'or', 'not', 'found', 'notfound']);

const UNSUPPORTED: readonly UnsupportedRule[] = [
  {
    pattern: /\bselect\b/gi,
    describe: () => "a subquery (SELECT; to re-target an earlier action's hits use found('<actionId>'))",
  },
  { pattern: /::/g, describe: () => 'a type cast (::)' },
  { pattern: /\bnow\s*\(/gi, describe: () => 'NOW()' },
  { pattern: /\binterval\b/gi, describe: () => 'interval arithmetic' },
  { pattern: /"/g, describe: () => 'a double-quoted identifier' },
  { pattern: /\bis\s+(?:not\s+)?null\b/gi, describe: (m) => `'${m[0]}'` },
  {
    pattern: /\b([a-z_][a-z0-9_]*)\s*\(/gi,
    describe: (m) => `the function ${m[1] ?? ''}()`,
    isMatchUnsupported: (m) => !NOT_FUNCTIONS.has((m[1] ?? '').toLowerCase()),
  },
  // MIG's numeric agent ids mean nothing to our agents.
  { pattern: /\b(?:agents\.)?id\b/gi, describe: () => "the agent id (MIG's agent ids do not carry over)" },
];

/** The source with every string literal's contents blanked (same length), so checks skip quoted text. */
function maskStrings(src: string): string {
  let out = '';
  let isInString = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src.charAt(i);
    if (ch !== "'") {
      out += isInString ? ' ' : ch;
    } else if (isInString && src.charAt(i + 1) === "'") {
      out += '  ';
      i++;
    } else {
      out += ch;
      isInString = !isInString;
    }
  }
  return out;
}

function unsupported(src: string, problem: string, position: number, cause?: unknown): TargetError {
  return new TargetError(
    'TARGET_UNSUPPORTED_MIG',
    `MIG target ${JSON.stringify(src)}: ${problem}; ` +
      "write the target in our language and pass it explicitly with -t '<target>'",
    position,
    { cause },
  );
}

/** MIG kept os and arch in its environment JSON; ours are first-class fields every agent reports. */
function rewrite(expr: TargetExpr): TargetExpr {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return { ...expr, terms: expr.terms.map(rewrite) };
    case 'not':
      return { ...expr, expr: rewrite(expr.expr) };
    case 'compare':
    case 'like':
    case 'in':
      return { ...expr, field: rewriteField(expr.field) };
    default:
      return expr;
  }
}

function rewriteField(field: FieldRef): FieldRef {
  if (field.kind === 'map' && field.map === 'environment' && (field.key === 'os' || field.key === 'arch')) {
    return { kind: 'field', name: field.key };
  }
  return field;
}
