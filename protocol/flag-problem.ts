import type { z } from 'zod';
import { UserError } from './errors.js';
import { describeGot, expectedText, valueAtPath } from './zod-issues.js';

export { describeGot, expectedText, valueAtPath };

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
export function flagError(
  flag: string,
  expected: string,
  got: string,
  opts: { hint?: string; help?: string } = {},
): UserError {
  return new UserError('BAD_REQUEST', flagProblem(flag, expected, got, opts.hint), opts.help);
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
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return flagError(flag, `a flag of ${subject}`, `unknown flag ${flag}`, { help });
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return flagError(flag, 'a value', 'nothing', { help });
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return new UserError('BAD_REQUEST', `${subject}: unexpected argument (${message})`, help);
  return new UserError('BAD_REQUEST', `${subject}: ${message}`, help);
}
