import { ContentScanner } from './content.js';
import { Pacer } from './pacer.js';
import { walkOnlyPlan, type RegexCheck } from './plan.js';
import { readFor, type ReadStats, type SearchBytes } from './read.js';
import { compileLineRegex, type LineRegex } from './regex.js';

/**
 * One file's content checks as a content thread runs them (content-pool.ts): the same
 * ContentScanner over the same reads as the module's own thread (read.ts readFor, growing reads
 * that stop once every scanner is settled), so a file's outcome is the same wherever it is read.
 * Plain data in and out: it crosses a thread boundary.
 */

/** One search's content checks, as the module thread's ContentScanner gets them. */
export interface ScanSpec {
  checks: readonly { source: string; isNegated: boolean }[];
  isMacroal: boolean;
  /** matchall: a found negated check settles the file (ContentScanner's canStopAtFailure). */
  canStopAtFailure: boolean;
}

export interface ScanJob {
  path: string;
  /** From the walk's stat: a short read ending there needs no further read(). */
  size: number;
  /** Indexes into the message's specs: one scanner per search that reads this file. */
  specs: readonly number[];
}

/** Per scanner: ContentScanner.results(), or overflowed (a line past MAX_LINE_BYTES). */
export type ScannerOutcome = { results: boolean[] } | { isOverflowed: true };

export type ScanOutcome =
  { bytesRead: number; scanners: ScannerOutcome[] } | { error: { message: string; code: string } };

/** A content thread compiles each pattern once, whatever the number of files and batches. */
const compiled = new Map<string, LineRegex>();
/** Patterns come from the network: the cache is bounded as regex.ts bounds its verdicts. */
const MAX_COMPILED = 512;

function regexOf(source: string): LineRegex {
  let re = compiled.get(source);
  if (re === undefined) {
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value ?? '');
    compiled.set(source, (re = compileLineRegex(source)));
  }
  return re;
}

function scannerOf(spec: ScanSpec): ContentScanner {
  const checks: RegexCheck[] = spec.checks.map((c) => ({ re: regexOf(c.source), isNegated: c.isNegated, label: '' }));
  return new ContentScanner(checks, spec.isMacroal, spec.canStopAtFailure);
}

/** A search with nothing but what readFor looks at: no digests, no decompression. */
const CONTENT_ONLY = walkOnlyPlan('content', [], { maxdepth: 0, matchlimit: 0 });
/** A content thread's read is never paused: its module thread stops it by ending the thread. */
const NEVER_PAUSED = new Pacer(new AbortController().signal, () => undefined, Number.POSITIVE_INFINITY);

/**
 * Reads `job.path` once for every spec it names, as the module thread's inline read would.
 * `pacer`: the module thread's, when it scans for the pool (undefined when the run was aborted).
 */
export async function scanFile(
  job: ScanJob,
  specs: readonly ScanSpec[],
  pacer?: Pacer,
): Promise<ScanOutcome | undefined> {
  const targets: SearchBytes[] = job.specs.map((index) => {
    const spec = specs[index];
    if (spec === undefined)
      throw new Error(`scan job for ${job.path} names spec ${index}, the batch has ${specs.length}`);
    return { search: CONTENT_ONLY, scanner: scannerOf(spec), digests: new Map() };
  });
  const stats: ReadStats = { bytesRead: 0, bytesHashed: 0 };
  try {
    if (!(await readFor(job.path, targets, stats, pacer ?? NEVER_PAUSED, job.size))) return undefined;
  } catch (err) {
    const e = err as Error & { code?: unknown };
    return { error: { message: String(e.message), code: String(e.code ?? '') } };
  }
  return {
    bytesRead: stats.bytesRead,
    scanners: targets.map(({ scanner }): ScannerOutcome =>
      scanner?.isOverflowed === true ? { isOverflowed: true } : { results: scanner?.results() ?? [] },
    ),
  };
}
