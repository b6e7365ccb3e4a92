import { z } from 'zod';
import { hashProblem, negatableRegexProblem, parseAge, parseSize, type HashFilter } from './param-values.js';
import { regexProblem } from './regex.js';
import { checkMatchMode, checked, matchlimitSchema, maxdepthSchema, pathProblem } from '../param-checks.js';

/**
 * The file module's parameters, in MIG's syntaxversion-2 shape so MIG's own action files
 * validate as they are: `{searches: {<label>: {paths, names?, contents?, ..., options?}}}`.
 * Parsed on the investigator's machine and again, by this same schema, on every agent.
 */

export const MAX_SEARCHES = 64;
export const MAX_PATHS = 64;
export const MAX_PATTERNS = 256;
/** IOC hash lists are long; the action's own size cap (256 KiB) bounds them anyway. */
export const MAX_HASHES = 10_000;
export const MAX_BOUNDS = 16;
export const FILTER_NAMES = ['name', 'content', 'size', 'mode', 'mtime', 'md5', 'sha1', 'sha2', 'sha3'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

const LABEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const hashList = (filter: HashFilter, what: string) =>
  z
    .array(checked((v) => hashProblem(filter, v)))
    .max(MAX_HASHES)
    .optional()
    .describe(`${what}; a file matches when its digest is any of them (case-insensitive hex)`);

/** Exported for the file module's flags (modules/file/spec.ts), which take their help from it. */
export const optionsSchema = z
  .strictObject({
    maxdepth: maxdepthSchema('a search path'),
    matchall: z
      .boolean()
      .optional()
      .describe('Report a file only when every filter matches it (the default unless matchany is set)'),
    matchany: z.boolean().optional().describe('Report a file when any filter matches it, and list which ones did'),
    macroal: z
      .boolean()
      .default(false)
      .describe(
        'Match All Content Regexes On All Lines: every line must match every content regex (an empty file has no lines: its regexes fail and negated ones pass, as in MIG)',
      ),
    mismatch: z
      .array(z.enum(FILTER_NAMES))
      .max(FILTER_NAMES.length)
      .optional()
      .describe(
        'Invert these filters: report files that do NOT match them (e.g. content with macroal: a line that is not allowed)',
      ),
    matchlimit: matchlimitSchema('Stop the search'),
    maxerrors: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(30)
      .describe('Stop the search (with a warning) after this many unreadable files or directories'),
    decompress: z
      .boolean()
      .default(false)
      .describe(
        'Read gzip files (by their 1f 8b magic) decompressed: content, md5/sha1/sha2/sha3 and returnsha256 see the decompressed bytes; name, size, mode and mtime describe the file as stored (as MIG did)',
      ),
    returnsha256: z
      .boolean()
      .default(false)
      .describe('Add the sha256 of each matching file (of the decompressed bytes when decompress applies)'),
  })
  .describe('Options of one search');

const FILTER_FIELDS = {
  names: 'name',
  contents: 'content',
  sizes: 'size',
  modes: 'mode',
  mtimes: 'mtime',
  md5: 'md5',
  sha1: 'sha1',
  sha2: 'sha2',
  sha3: 'sha3',
} as const;

/** One search's fields, before the rules across them; the file module's flags read it too. */
export const searchObject = z.strictObject({
  description: z.string().max(1024).optional().describe('Free text, ignored by the agent (MIG action files carry it)'),
  paths: z
    .array(checked(pathProblem))
    .min(1)
    .max(MAX_PATHS)
    .describe(
      "Absolute paths (files or directories) to search, literally: no globbing. As in MIG, symlinks to files are followed and symlinks to directories are not, a search path included; symlinks in a path's parent directories are resolved, so each file is reported once, at its real path",
    ),
  names: z
    .array(checked(negatableRegexProblem))
    .max(MAX_PATTERNS)
    .optional()
    .describe('RE2 regexes on the base name; a leading ! matches names that do not match'),
  contents: z
    .array(checked(negatableRegexProblem))
    .max(MAX_PATTERNS)
    .optional()
    .describe(
      'RE2 regexes on each line of the file (stops at the first matching line); a leading ! matches files with no such line. A line ends at a newline and keeps a carriage return before it (write \\r?$ for CRLF files); lines up to 64 MiB are matched whole (a longer one is an error, never cut); bytes are matched as stored: invalid UTF-8 never becomes U+FFFD',
    ),
  sizes: z
    .array(checked((v) => asProblem(parseSize(v))))
    .max(MAX_BOUNDS)
    .optional()
    .describe('Sizes like <10m, >1k, =0 (k, m, g, t: powers of 1024); each one must hold'),
  modes: z
    .array(checked(regexProblem))
    .max(MAX_PATTERNS)
    .optional()
    .describe('RE2 regexes on the mode string as Go prints it, e.g. -rwxr-xr-x, urwxr-xr-x for setuid'),
  mtimes: z
    .array(checked((v) => asProblem(parseAge(v))))
    .max(MAX_BOUNDS)
    .optional()
    .describe('Modification ages like <90d (within 90 days), >5h (older than 5 hours), <30m'),
  md5: hashList('md5', 'MD5 digests'),
  sha1: hashList('sha1', 'SHA-1 digests'),
  sha2: hashList('sha2', 'SHA-2 digests, sha256/384/512 chosen by length'),
  sha3: hashList('sha3', 'SHA-3 digests, sha3-224/256/384/512 chosen by length'),
  options: optionsSchema.prefault({}),
});

const searchSchema = searchObject.superRefine(checkSearch).describe('One search: where to look, what to match, how');

function asProblem(parsed: object | string): string | undefined {
  return typeof parsed === 'string' ? parsed : undefined;
}

/** Rules across fields of one search. */
function checkSearch(search: z.output<typeof searchObject>, ctx: z.RefinementCtx): void {
  const used = Object.entries(FILTER_FIELDS)
    .filter(([field]) => (search[field as keyof typeof FILTER_FIELDS]?.length ?? 0) > 0)
    .map(([, filter]) => filter);
  if (used.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected at least one filter (${Object.keys(FILTER_FIELDS).join(', ')}), got only paths`,
    });
  }
  const { options } = search;
  checkMatchMode(options, ctx);
  if (options.macroal && !used.includes('content')) {
    ctx.addIssue({
      code: 'custom',
      path: ['options', 'macroal'],
      message: 'macroal applies to content regexes, but this search has no contents',
    });
  }
  for (const [i, filter] of (options.mismatch ?? []).entries()) {
    if (!used.includes(filter)) {
      ctx.addIssue({
        code: 'custom',
        path: ['options', 'mismatch', i],
        message: `mismatch=${filter}, but this search has no ${filter} filter (it has ${used.join(', ') || 'none'})`,
      });
    }
  }
}

function labelProblem(label: string): string | undefined {
  if (LABEL.test(label)) return undefined;
  return `expected a label of 1-64 letters, digits, '_', '-' or '.' starting with a letter or digit, got ${JSON.stringify(label.slice(0, 80))}`;
}

/** A record schema silently drops a `__proto__` key, so that one is caught on the raw object. */
function checkRawLabels(value: unknown, ctx: z.RefinementCtx): void {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, '__proto__')) return;
  ctx.addIssue({ code: 'custom', path: ['__proto__'], message: labelProblem('__proto__') ?? '' });
}

function checkLabels(searches: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const labels = Object.keys(searches);
  if (labels.length === 0) ctx.addIssue({ code: 'custom', message: 'expected at least one search, got none' });
  if (labels.length > MAX_SEARCHES)
    ctx.addIssue({ code: 'custom', message: `expected at most ${MAX_SEARCHES} searches, got ${labels.length}` });
  for (const label of labels) {
    const message = labelProblem(label);
    if (message !== undefined) ctx.addIssue({ code: 'custom', path: [label], message });
  }
}

export const fileParams = z
  .strictObject({
    searches: z
      .unknown()
      .superRefine(checkRawLabels)
      .pipe(z.record(z.string(), searchSchema).superRefine(checkLabels))
      .describe('Searches by label; all of them share one walk of the filesystem'),
  })
  .describe('File module parameters (MIG syntaxversion 2)');

export type FileParams = z.output<typeof fileParams>;
export type FileSearch = FileParams['searches'][string];
export type FileOptions = FileSearch['options'];
