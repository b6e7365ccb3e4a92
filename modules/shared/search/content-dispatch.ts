import { judgeContent, judgeUnreadable } from './checks.js';
import { MAX_POOLED_FILE_BYTES, type ContentPool, type Ticket } from './content-pool.js';
import type { ScanOutcome, ScanSpec } from './content-scan.js';
import { judgeOverflowedLine, type Judge, type Judged } from './evaluate.js';
import type { SearchPlan } from './plan.js';

/**
 * Between the file module's run (run.ts) and the content threads (content-pool.ts): which files
 * a thread may read, what it is sent, and how its outcome is judged, exactly as the module
 * thread's own read is judged (evaluate.ts judgeBytes).
 */

/** Content-only files seen before the pool is worth its threads' start (~30-50 ms of CPU each). */
const POOL_AFTER_FILES = 64;
const POOL_AFTER_BYTES = 4 * 1024 * 1024;

/** A file on its way to a content thread, and the searches its outcome answers, in order. */
export interface ContentScan {
  ticket: Ticket;
  searches: readonly SearchPlan[];
}

/**
 * Every search reading this file wants its content checks only: no digests (hash-pool.ts or
 * the inline read), no decompression, and the file is small enough for a thread.
 */
export function isContentPoolable(judged: Judged): boolean {
  return (
    judged.readers.length > 0 &&
    judged.stat !== undefined &&
    judged.stat.size <= MAX_POOLED_FILE_BYTES &&
    judged.readers.every(
      (v) => v.search.contents.length > 0 && v.search.algorithms.size === 0 && !v.search.isDecompress,
    )
  );
}

const specs = new WeakMap<SearchPlan, ScanSpec>();

/** The same object for every file of a search, so a group carries each search's patterns once. */
function specOf(search: SearchPlan): ScanSpec {
  let spec = specs.get(search);
  if (spec === undefined) {
    spec = {
      checks: search.contents.map((c) => ({ source: c.re.source, isNegated: c.isNegated })),
      isMacroal: search.isMacroal,
      canStopAtFailure: search.mode === 'all',
    };
    specs.set(search, spec);
  }
  return spec;
}

/** Hands content-only files to the pool once a run has seen enough of them; the rest stay inline. */
export class ContentDispatch {
  private files = 0;
  private bytes = 0;

  constructor(private readonly pool: ContentPool) {}

  /** Tickets for `jobs` (content-poolable, in walk order), or none when the pool is not worth it yet. */
  submit(jobs: readonly Judged[]): ReadonlyMap<Judged, ContentScan> {
    this.files += jobs.length;
    for (const j of jobs) this.bytes += j.stat?.size ?? 0;
    const isWorthIt = this.files >= POOL_AFTER_FILES || this.bytes >= POOL_AFTER_BYTES;
    if (jobs.length === 0 || !isWorthIt || !this.pool.isUsable) return new Map();
    const tickets = this.pool.submit(
      jobs.map((j) => ({ path: j.task.real, size: j.stat?.size ?? 0, specs: j.readers.map((v) => specOf(v.search)) })),
    );
    return new Map(jobs.map((j, i) => [j, { ticket: tickets[i] as Ticket, searches: j.readers.map((v) => v.search) }]));
  }
}

/**
 * A thread's outcome for `judged`, judged for the readers still live (a search may have stopped
 * since the file was sent). Counts its bytes as the inline read counts them.
 */
export function judgeScanned(judged: Judged, judge: Judge, scan: ContentScan, outcome: ScanOutcome): void {
  const { task, readers } = judged;
  if ('error' in outcome) {
    const { message, code } = outcome.error;
    judge.error(
      readers.map((v) => v.search),
      task.path,
      'cannot read',
      Object.assign(new Error(message), code === '' ? {} : { code }),
    );
    for (const v of readers) judgeUnreadable(v);
    return;
  }
  judge.stats.bytesRead += outcome.bytesRead;
  for (const v of readers) {
    const scanner = outcome.scanners[scan.searches.indexOf(v.search)];
    if (scanner === undefined) throw new Error(`content thread answered ${task.path} without search ${v.search.label}`);
    if ('results' in scanner) {
      judgeContent(v, scanner.results);
      continue;
    }
    judgeOverflowedLine(judge, v, task.path);
  }
}
