import { RE2JS } from 're2js';
import { z } from 'zod';

/**
 * Small parameter checks shared by module specs (pure: no I/O, safe in spec.ts). A check is a
 * function from the given value to a problem sentence, or undefined when the value is fine, so
 * the same sentence serves the schema, the CLI and the launcher form.
 */
export type Problem = (value: string) => string | undefined;

/** A string schema whose custom check reports its own sentence (zod would say "Invalid input"). */
export function checked(problem: Problem): z.ZodString {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });
}

/** Absolute, no NUL, bounded: paths arrive in signed actions but are still checked before use. */
export function pathProblem(value: string): string | undefined {
  if (!value.startsWith('/'))
    return `expected an absolute path (starting with /), got ${JSON.stringify(value.slice(0, 200))}`;
  if (value.includes('\0')) return 'expected a path without NUL characters';
  if (value.length > 4096) return `expected at most 4096 characters, got ${value.length}`;
  return undefined;
}

const MAX_PATTERN_CHARS = 1024;

/** Why `source` is not a usable RE2 regular expression (the syntax MIG's Go agent compiled), bounded in size. */
export function re2Problem(source: string): string | undefined {
  if (source.length === 0) return 'expected a regular expression, got an empty string';
  if (source.length > MAX_PATTERN_CHARS)
    return `expected at most ${MAX_PATTERN_CHARS} characters, got ${source.length}`;
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (err) {
    return `not a valid RE2 regular expression (${err instanceof Error ? err.message : String(err)})`;
  }
}

/**
 * MIG's matchall/matchany pair (the file and memory searches): exclusive, and not both turned
 * off. Issues go on `options`, where both live.
 */
export function checkMatchMode(options: { matchall?: boolean; matchany?: boolean }, ctx: z.RefinementCtx): void {
  if (options.matchall === true && options.matchany === true) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: 'matchall and matchany are exclusive, got both true' });
  }
  if (options.matchall === false && options.matchany === false) {
    ctx.addIssue({
      code: 'custom',
      path: ['options'],
      message: 'expected matchall or matchany to be true, got both false',
    });
  }
}

/**
 * How deep a walk goes below each of its paths, one rule for every module that walks (file, yara):
 * 0 is only the files directly in a path; 1000 stands for "no limit" yet still bounds a loop.
 * `below` names the paths in the module's own words.
 */
export function maxdepthSchema(below: string) {
  return z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(1000)
    .describe(`How many directory levels below ${below} to descend (0: only the files directly in it)`);
}

/**
 * How many matching files a walk reports before it stops with a warning, one rule for every module
 * that walks (file, yara). `stop` words what stops, in the module's own help text.
 */
export function matchlimitSchema(stop: string) {
  return z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1000)
    .describe(`${stop} (with a warning) after this many matching files`);
}
