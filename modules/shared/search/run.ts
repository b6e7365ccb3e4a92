import type { ModuleContext, ModuleRun } from '../../../protocol/module-spec.js';
import {
  isPoolable,
  judgeBytes,
  judgeDigests,
  judgeMetadata,
  rowsOf,
  type FileRow,
  type Judge,
  type Judged,
} from './evaluate.js';
import { AlgorithmSets, HashJobs } from './hash-jobs.js';
import { HashPool, type HashResult } from './hash-pool.js';
import { ContentDispatch, isContentPoolable, judgeScanned, type ContentScan } from './content-dispatch.js';
import { ContentPool } from './content-pool.js';
import { Pacer } from './pacer.js';
import { CHUNK_BYTES } from './read.js';
import type { FileParams } from './params.js';
import { planSearches, type SearchPlan } from './plan.js';
import { Lookahead } from './lookahead.js';
import { HostRoot } from './resolve.js';
import { Walk, type FileTask } from './walk.js';
import { Counters, WALK_COUNTERS, walkEvents } from './walk-report.js';

export type { FileRow } from './evaluate.js';

const FILE_COUNTERS = [...WALK_COUNTERS, 'filesChecked', 'filesMatched', 'bytesHashed', 'bytesRead'] as const;

function stop(search: SearchPlan, ctx: ModuleContext, why: string): void {
  if (search.isStopped) return;
  search.isStopped = true;
  ctx.warn(`search ${search.label}: ${why}`);
}

/** A read problem also counts against each search it touched, up to options.maxerrors. */
function countSearchErrors(ctx: ModuleContext): (searches: readonly SearchPlan[]) => void {
  return (searches) => {
    for (const search of searches) {
      search.errors++;
      if (search.errors >= search.maxerrors)
        stop(search, ctx, `stopped after ${search.errors} errors (options.maxerrors)`);
    }
  };
}

/** Files the walk found before the pool is worth its threads: a small hunt never starts one. */
const POOL_AFTER_FILES = 64;

/** One directory's files after their metadata checks, their digests maybe on reader threads. */
interface Prepared {
  judged: Judged[];
  /** How many of them went to the reader threads. */
  pooled: number;
  /** Digests of `judged[i]` for each i in `pooled`, from hash-pool.ts; undefined if the pool failed. */
  digests: Promise<ReadonlyMap<Judged, HashResult> | undefined>;
  /** Content-only files on their way to content threads (content-dispatch.ts). */
  scans: ReadonlyMap<Judged, ContentScan>;
}

/**
 * The file module: one walk of the host for all searches, judging each file against the
 * searches active where it lies, yielding one metadata row per (search, matching file).
 * While one directory's files are read (small hash-only files on reader threads), the next
 * directory is walked and stat'ed, and further ones while the reader threads have all the
 * reading to do (lookahead.ts): rows still come in walk order.
 */
export const runFile: ModuleRun<FileParams, FileRow> = async function* runFile(params, ctx) {
  const searches = planSearches(params);
  const bySearch = new Map(searches.map((s) => [s.label, s]));
  const counters = new Counters(ctx, FILE_COUNTERS);
  const pacer = new Pacer(ctx.signal, () => counters.flush());
  const on = walkEvents(ctx, counters, countSearchErrors(ctx));
  const judge: Judge = { nowMs: ctx.now().getTime(), stats: counters.values, pacer, error: on.error };
  const walk = new Walk(searches, new HostRoot(ctx.root), on);
  const pool = new HashPool();
  const contentPool = new ContentPool(ctx.signal);
  const dispatch = new ContentDispatch(contentPool);
  let poolable = 0;
  const algorithms = new AlgorithmSets();
  const prepare = (batch: readonly FileTask[]): Prepared => {
    const judged: Judged[] = [];
    const jobs = new HashJobs(algorithms);
    const contentJobs: Judged[] = [];
    const isPooling = poolable >= POOL_AFTER_FILES;
    for (const task of batch) {
      counters.values.filesChecked++;
      const one = judgeMetadata(task, judge, isPooling);
      if (one === undefined) continue;
      judged.push(one);
      if (isPoolable(one)) {
        poolable++;
        jobs.add(one);
      } else if (isContentPoolable(one)) contentJobs.push(one);
    }
    const scans = dispatch.submit(contentJobs);
    if (!isPooling || jobs.size === 0) return { judged, pooled: 0, digests: Promise.resolve(new Map()), scans };
    return { judged, pooled: jobs.files, digests: jobs.send(pool), scans };
  };
  async function* finish(prepared: Prepared): AsyncGenerator<FileRow, boolean> {
    // A failed pool leaves every file to the inline read below.
    const digests = (await prepared.digests) ?? new Map<Judged, HashResult>();
    for (const judged of prepared.judged) {
      if (pacer.isDue ? !(await pacer.pause()) : pacer.isAborted) return false;
      // Judged ahead of the previous directory's rows: a search may have stopped since.
      judged.live = judged.live.filter((v) => !v.search.isStopped);
      judged.readers = judged.readers.filter((v) => !v.search.isStopped);
      // A file no thread has taken yet is read here (and dropped from the threads' queue if unwanted now).
      const scan = prepared.scans.get(judged);
      const isInline = scan === undefined || scan.ticket.claim();
      if (judged.live.length === 0) continue;
      const scanned = isInline || scan === undefined ? undefined : await contentPool.outcomeOf(scan.ticket, pacer);
      const result = digests.get(judged);
      const next = result === undefined ? 'read' : judgeDigests(judged, judge, result);
      if (next === 'gone') continue;
      if (next === 'read' && scan !== undefined && scanned !== undefined) judgeScanned(judged, judge, scan, scanned);
      // A stat left to the reader threads is taken here if they did not (a stopped search's file, a failed pool).
      else if (next === 'read' && (judged.readers.length > 0 || judged.stat === undefined)) {
        // Progress before a long read (a costly content regex may make it long): a stopped run
        // says how far it got. Not before each small one: a flush per file cost ~10 % of a
        // hash over 20,000 small files.
        if ((judged.stat?.size ?? 0) > CHUNK_BYTES) counters.flush();
        const cpu = scan === undefined ? undefined : process.cpuUsage();
        if (!(await judgeBytes(judged, judge))) return false;
        // Content threads start once reading here has cost enough CPU (content-pool.ts).
        if (cpu !== undefined) contentPool.noteInlineRead(process.cpuUsage(cpu));
      }
      for (const row of rowsOf(judged)) {
        const search = bySearch.get(row.search) as SearchPlan;
        search.matches++;
        counters.values.filesMatched++;
        yield row;
        if (search.matches >= search.matchlimit)
          stop(search, ctx, `stopped at ${search.matches} matches (options.matchlimit)`);
      }
    }
    return true;
  }
  try {
    const ahead = new Lookahead<Prepared>();
    for (const batch of walk.files()) {
      if (pacer.isDue ? !(await pacer.pause()) : pacer.isAborted) return;
      for (const due of ahead.push(prepare(batch))) if (!(yield* finish(due))) return;
    }
    for (const due of ahead.drain()) if (!(yield* finish(due))) return;
  } finally {
    counters.flush();
    await Promise.all([pool.close(), contentPool.close()]);
    if (contentPool.filesAnswered > 0) ctx.log(`content threads read ${contentPool.filesAnswered} files`);
  }
};
