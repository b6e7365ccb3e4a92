import type { z } from 'zod';
import { UserError } from './errors.js';

/**
 * The one shape of a bad command-line flag, for every `mig` command (hunts, action, server,
 * agent, console, demo): "`-flag`: expected …, got …; hint". Lives in protocol/ because every
 * layer's command line uses it and protocol is the only layer they all may import.
 */
export function flagProblem(flag: string, expected: string, got: string, hint?: string): string {
  const wanted = /^expected\b/.test(expected) ? expected : `expected ${expected}`;
  // Schema messages of module specs sometimes say what they got already ("…, got 40").
  const given = /, got /.test(wanted) ? '' : `, got ${got}`;
  return `${flag}: ${wanted}${given}${hint === undefined ? '' : `; ${hint}`}`;
}

/** A flagProblem as the UserError commands throw (exit 2); `help` is the usual "see --help" hint. */
export function flagError(flag: string, expected: string, got: string, opts: { hint?: string; help?: string } = {}): UserError {
  return new UserError('BAD_REQUEST', flagProblem(flag, expected, got, opts.hint), opts.help);
}

type Issue = z.core.$ZodIssue;

function plural(n: number | bigint, word: string): string {
  return `${n} ${word}${n === 1 || n === 1n ? '' : 's'}`;
}

function bound(issue: { origin: string; inclusive?: boolean; exact?: boolean }, side: 'least' | 'most', n: number | bigint): string {
  if (issue.origin === 'array' || issue.origin === 'set') return `${issue.exact === true ? 'exactly' : `at ${side}`} ${plural(n, 'value')}`;
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
    default:
      return issue.message;
  }
}

/** A given value, short enough for one error line. Absent means the flag was not given. */
export function describeGot(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return plural(value.length, 'value');
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

/** Every issue of a flags schema as a flagProblem, the flag named by the issue's first path segment. */
export function zodFlagProblems(error: z.ZodError, given: Readonly<Record<string, unknown>>, dashes = '--'): string[] {
  return error.issues.map((issue) => {
    const key = issue.path[0];
    const flag = key === undefined ? '(flags)' : `${dashes}${String(key)}`;
    return flagProblem(flag, expectedText(issue), describeGot(valueAtPath(given, issue.path)));
  });
}

/** node:util parseArgs errors (unknown option, missing value) as flagProblems. */
export function parseArgsError(err: unknown, subject: string): UserError {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  const flag = /'(--?[^' ]+)/.exec(message)?.[1] ?? '(flags)';
  const help = `see ${subject} --help`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return flagError(flag, `a flag of ${subject}`, `unknown flag ${flag}`, { help });
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return flagError(flag, 'a value', 'nothing', { help });
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UserError('BAD_REQUEST', `${subject}: unexpected argument (${message})`, help);
  return new UserError('BAD_REQUEST', `${subject}: ${message}`, help);
}
