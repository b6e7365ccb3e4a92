import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/**
 * One line per invalid field, naming the path, what was expected and what was given,
 * so a bad flag, API body or MQTT payload reports every problem at once.
 */
export function describeIssues(error: z.ZodError, root = ''): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].filter((p) => p !== '').join('.');
      return `${path === '' ? '(root)' : path}: ${issue.message}`;
    })
    .join('; ');
}

function plural(n: number | bigint, word: string): string {
  return `${n} ${word}${n === 1 || n === 1n ? '' : 's'}`;
}

function bound(
  issue: { origin: string; inclusive?: boolean; exact?: boolean },
  side: 'least' | 'most',
  n: number | bigint,
): string {
  if (issue.origin === 'array' || issue.origin === 'set')
    return `${issue.exact === true ? 'exactly' : `at ${side}`} ${plural(n, 'value')}`;
  if (issue.origin === 'string') return `${issue.exact === true ? 'exactly' : `at ${side}`} ${plural(n, 'character')}`;
  const op = side === 'least' ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
  return `a number ${op} ${n}`;
}

/**
 * What a field wanted, in words a person at a prompt reads: "expected an integer >= 0",
 * "expected one of a, b". Codes we cannot phrase better keep the schema's own message, which
 * for our specs already says what was expected.
 */
export function expectedText(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'array' ? 'one or more values' : `a ${issue.expected}`}`;
    case 'too_small':
      return `expected ${bound(issue, 'least', issue.minimum)}`;
    case 'too_big':
      return `expected ${bound(issue, 'most', issue.maximum)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `expected only known keys, got ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    default:
      return issue.message;
  }
}

/** A given value, short enough for one error line. Absent means the field was not given. */
export function describeGot(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return plural(value.length, 'value');
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The value an issue path points at inside the raw input. */
export function valueAtPath(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** `expected …, got …`, unless the schema's own message already says what it got. */
export function expectedGot(expected: string, given: string): string {
  return /\bgot\b/.test(expected) ? expected : `${expected}, got ${given}`;
}

/** One invalid field: where, what it wanted, what it got. */
export interface FieldProblem {
  path: readonly PropertyKey[];
  expected: string;
  given: string;
}

/** Every issue of a failed parse, with the offending value looked up in the input. */
export function fieldProblems(error: z.ZodError, input: unknown): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path,
    expected: expectedText(issue),
    given: describeGot(valueAtPath(input, issue.path)),
  }));
}
