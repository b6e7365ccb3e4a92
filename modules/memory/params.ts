import { z } from 'zod';
import { regexProblem } from '../shared/search/regex.js';
import { checkMatchMode, checked } from '../shared/param-checks.js';

/**
 * The memory module's parameters: the shape of one search of MIG's memory module
 * (`{names, libraries, contents, bytes, options}`), so a MIG search object validates as it is.
 * Parsed on the investigator's machine and again, by this same schema, on every agent.
 */

export const MAX_PATTERNS = 256;
/** Every content regex runs over every byte read: the count multiplies the scan's cost. */
export const MAX_CONTENTS = 64;
/** Longest byte string: it sets the overlap kept between two reads. */
export const MAX_NEEDLE_BYTES = 4096;
export const MAX_PIDS = 1024;

/** Why `value` is not a byte string as MIG took it (hex, no 0x, even length). */
export function hexProblem(value: string): string | undefined {
  const shown = JSON.stringify(value.slice(0, 80));
  if (value.length === 0) return 'expected hex bytes like 6d6967, got an empty string';
  if (/^0x/i.test(value)) return `expected hex bytes without a leading 0x (MIG's syntax), got ${shown}`;
  if (!/^[0-9a-fA-F]*$/.test(value)) return `expected only hex digits 0-9 a-f, got ${shown}`;
  if (value.length % 2 !== 0) return `expected an even number of hex digits (two per byte), got ${value.length}`;
  if (value.length > MAX_NEEDLE_BYTES * 2)
    return `expected at most ${MAX_NEEDLE_BYTES} bytes (${MAX_NEEDLE_BYTES * 2} hex digits), got ${value.length / 2}`;
  return undefined;
}

const regexList = (max: number, what: string) => z.array(checked(regexProblem)).max(max).optional().describe(what);

/** Exported for the memory module's flags (spec.ts), which take their help and defaults from it. */
export const memoryOptions = z
  .strictObject({
    offset: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .default(0)
      .describe(
        'Virtual address where the memory scan starts: lower regions are skipped, the one holding it is read from it',
      ),
    maxlength: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .default(0)
      .describe('Stop reading a process after this many bytes; 0 means no limit (as in MIG)'),
    logfailures: z
      .boolean()
      .default(false)
      .describe(
        'Report each process or memory region that could not be read (there are usually many), not only their count',
      ),
    matchall: z
      .boolean()
      .optional()
      .describe('Report a process only when every check matches it (the default unless matchany is set)'),
    matchany: z.boolean().optional().describe('Report a process when any check matches it, and list which ones did'),
  })
  .describe('Options of the search');

const paramsObject = z.strictObject({
  description: z.string().max(1024).optional().describe('Free text, ignored by the agent (MIG action files carry it)'),
  names: regexList(MAX_PATTERNS, 'RE2 regexes on the process name: its comm, its argv[0] or the base name of argv[0]'),
  libraries: regexList(
    MAX_PATTERNS,
    'RE2 regexes on the paths of the files the process has mapped (libraries, the executable)',
  ),
  contents: regexList(
    MAX_CONTENTS,
    'RE2 regexes on the readable memory, read as UTF-8 text lines ended by \\n or NUL (C strings); a line longer than 64 KiB is searched in overlapping 64 KiB pieces',
  ),
  bytes: z
    .array(checked(hexProblem))
    .max(MAX_PATTERNS)
    .optional()
    .describe('Byte strings in hex (e.g. 6d69672e6f7267) to find in the readable memory'),
  pids: z
    .array(z.number().int().min(1).max(4_194_304))
    .min(1)
    .max(MAX_PIDS)
    .optional()
    .describe('Only look at these process ids (not in MIG: for re-checking hosts a hunt already found)'),
  options: memoryOptions.prefault({}),
});

const CHECK_FIELDS = ['names', 'libraries', 'contents', 'bytes'] as const;

/** Rules across fields. */
function checkSearch(params: z.output<typeof paramsObject>, ctx: z.RefinementCtx): void {
  if (CHECK_FIELDS.every((field) => (params[field]?.length ?? 0) === 0)) {
    ctx.addIssue({ code: 'custom', message: `expected at least one check (${CHECK_FIELDS.join(', ')}), got none` });
  }
  checkMatchMode(params.options, ctx);
}

export const memoryParams = paramsObject
  .superRefine(checkSearch)
  .describe('Memory module parameters (one MIG memory search)');

export type MemoryParams = z.output<typeof memoryParams>;
export type MemoryOptions = MemoryParams['options'];
