import type { z } from 'zod';
import { BugError, UserError } from '../../protocol/errors.js';
import type { FlagHint } from '../../protocol/module-spec.js';
import { convertValue } from './convert.js';
import { HELP_FLAGS, deriveFlags, type FlagField } from './fields.js';
import { describeGot, expectedText, valueAtPath } from '../../protocol/zod-issues.js';
import { flagProblem } from '../../protocol/flag-problem.js';
import { closestMatch } from './suggest.js';

export interface ParseFlagsOptions {
  /** Names what the flags belong to in messages, e.g. `module file`. */
  subject?: string;
}

export interface ParsedFlags<T> {
  values: T;
  /** Arguments that are not flags, in order; everything after `--` lands here untouched. */
  positionals: string[];
}

/**
 * True when argv asks for help (`-h`, `-help`, `--help` before any `--`). Callers check this
 * before parseFlags: help must work even when required flags are missing, and parseFlags treats
 * a help flag reaching it as a caller bug.
 */
export function isHelpRequested(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (/^--?(h|help)$/.test(arg)) return true;
  }
  return false;
}

interface ParseState {
  byName: ReadonlyMap<string, FlagField>;
  raw: Record<string, unknown>;
  /** The spelling the user typed per key, so messages echo it back. */
  typed: Map<string, string>;
  problems: string[];
  positionals: string[];
}

/** `-name`, `--name`, `-name=value`, `--name=value`; undefined for a positional. */
function splitFlag(arg: string): { dashes: string; name: string; inline: string | undefined } | undefined {
  const m = /^(--?)([^-=][^=]*)(?:=([\s\S]*))?$/.exec(arg);
  if (m === null) return undefined;
  return { dashes: m[1] ?? '-', name: m[2] ?? '', inline: m[3] };
}

function isKnownFlag(arg: string | undefined, byName: ReadonlyMap<string, FlagField>): boolean {
  const flag = arg === undefined ? undefined : splitFlag(arg);
  return flag !== undefined && (byName.has(flag.name) || HELP_FLAGS.has(flag.name));
}

function unknownFlag(typed: string, state: ParseState, subject: string | undefined): string {
  const visible = [...state.byName.entries()].filter(([, f]) => !f.isHidden).map(([name]) => name);
  const guess = closestMatch(typed.replace(/^-+/, ''), visible);
  return flagProblem(
    typed,
    `a flag of ${subject ?? 'this command'}`,
    `unknown flag ${typed}`,
    guess === undefined ? undefined : `did you mean -${guess}?`,
  );
}

function store(state: ParseState, field: FlagField, flag: string, value: string | number | boolean): void {
  state.typed.set(field.key, flag);
  const previous = state.raw[field.key];
  if (field.isRepeatable) {
    state.raw[field.key] = [...(Array.isArray(previous) ? (previous as unknown[]) : []), value];
  } else if (previous !== undefined) {
    // Last-one-wins would silently hide a typo in a long command line: refuse instead.
    state.problems.push(flagProblem(flag, 'it once', 'it more than once', 'the last one would silently win'));
  } else {
    state.raw[field.key] = value;
  }
}

/** Reads argv into raw values; returns how many extra arguments the flag at `i` consumed. */
function readFlag(argv: readonly string[], i: number, state: ParseState, subject: string | undefined): number {
  const arg = argv[i] ?? '';
  const split = splitFlag(arg);
  if (split === undefined) throw new BugError(`readFlag called on ${arg}`);
  const flag = `${split.dashes}${split.name}`;
  if (HELP_FLAGS.has(split.name)) throw new BugError(`${flag} reached parseFlags: check isHelpRequested(argv) first`);
  const field = state.byName.get(split.name);
  if (field === undefined) {
    state.problems.push(unknownFlag(flag, state, subject));
    return 0;
  }
  if (field.kind === 'boolean' && split.inline === undefined) {
    store(state, field, flag, true);
    return 0;
  }
  const next = argv[i + 1];
  const text = split.inline ?? (isKnownFlag(next, state.byName) ? undefined : next);
  if (text === undefined) {
    state.problems.push(flagProblem(flag, 'a value', 'nothing'));
    return 0;
  }
  const converted = convertValue(field, flag, text);
  if (converted.ok) store(state, field, flag, converted.value);
  else state.problems.push(converted.problem);
  return split.inline === undefined ? 1 : 0;
}

function scan(argv: readonly string[], state: ParseState, subject: string | undefined): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      state.positionals.push(...argv.slice(i + 1));
      return;
    }
    if (splitFlag(arg) === undefined) state.positionals.push(arg);
    else i += readFlag(argv, i, state, subject);
  }
}

function flagFor(key: PropertyKey | undefined, fields: readonly FlagField[], state: ParseState): string {
  const field = fields.find((f) => f.key === key);
  if (field === undefined) return `-${String(key)}`;
  return state.typed.get(field.key) ?? `-${field.names[0] ?? field.key}`;
}

function fail(problems: readonly string[], subject: string | undefined): never {
  const hint = `run with --help to see the flags${subject === undefined ? '' : ` of ${subject}`}`;
  throw new UserError('BAD_REQUEST', problems.join('; '), hint);
}

/**
 * Parses argv against a flat, described zod object: flags, their types and help all come from
 * the schema; hints add aliases and hide flags. Every problem is collected and thrown as one
 * UserError (code BAD_REQUEST) naming each flag, what it expected and what it got.
 */
export function parseFlags<S extends z.ZodObject>(
  schema: S,
  argv: readonly string[],
  hints?: Readonly<Record<string, FlagHint>>,
  opts: ParseFlagsOptions = {},
): ParsedFlags<z.output<S>> {
  const fields = deriveFlags(schema, hints);
  const byName = new Map(fields.flatMap((f) => f.names.map((name) => [name, f] as const)));
  const state: ParseState = { byName, raw: {}, typed: new Map(), problems: [], positionals: [] };
  scan(argv, state, opts.subject);
  // A presence flag that is absent is false, unless the schema has its own default or allows unset.
  for (const f of fields)
    if (f.kind === 'boolean' && f.isRequired && state.raw[f.key] === undefined) state.raw[f.key] = false;
  if (state.problems.length > 0) fail(state.problems, opts.subject);
  const result = schema.safeParse(state.raw);
  if (!result.success) {
    fail(
      result.error.issues.map((issue) => {
        const flag = flagFor(issue.path[0], fields, state);
        return flagProblem(flag, expectedText(issue), describeGot(valueAtPath(state.raw, issue.path)));
      }),
      opts.subject,
    );
  }
  return { values: result.data, positionals: state.positionals };
}
