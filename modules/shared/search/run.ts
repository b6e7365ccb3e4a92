import type { ModuleContext, ModuleRun } from '../../../protocol/module-spec.js';
import { judgeBytes, judgeMetadata, rowsOf, type FileRow, type Judge } from './evaluate.js';
import { Pacer } from './pacer.js';
import { CHUNK_BYTES } from './read.js';
import type { FileParams } from './params.js';
import { planSearches, type SearchPlan } from './plan.js';
import { errorCode, HostRoot } from './resolve.js';
import { Walk, type WalkEvents } from './walk.js';

export type { FileRow } from './evaluate.js';

/** Counters reported with the result, batched so the hot path does not call ctx.count per file. */
class Counters {
  readonly values = {
    filesVisited: 0,
    dirsVisited: 0,
    filesChecked: 0,
    filesMatched: 0,
    bytesHashed: 0,
    bytesRead: 0,
    errors: 0,
    symlinksNotFollowed: 0,
  };

  constructor(private readonly ctx: ModuleContext) {}

  flush(): void {
    for (const [stat, value] of Object.entries(this.values)) {
      if (value !== 0) this.ctx.count(stat, value);
      this.values[stat as keyof typeof this.values] = 0;
    }
  }
}

function stop(search: SearchPlan, ctx: ModuleContext, why: string): void {
  if (search.isStopped) return;
  search.isStopped = true;
  ctx.warn(`search ${search.label}: ${why}`);
}

function events(ctx: ModuleContext, counters: Counters): WalkEvents & Pick<Judge, 'error'> {
  return {
    error(searches, path, what, err) {
      counters.values.errors++;
      ctx.warn(`${path}: ${what} (${errorCode(err)})`);
      for (const search of searches) {
        search.errors++;
        if (search.errors >= search.maxerrors)
          stop(search, ctx, `stopped after ${search.errors} errors (options.maxerrors)`);
      }
    },
    notFollowed(path, why) {
      counters.values.symlinksNotFollowed++;
      ctx.warn(`${path}: ${why}; not followed`);
    },
    linkSkipped(path) {
      counters.values.symlinksNotFollowed++;
      ctx.log(`${path}: directory symlink not followed`);
    },
    note: (message) => ctx.log(message),
    dirVisited: () => counters.values.dirsVisited++,
    fileVisited: () => counters.values.filesVisited++,
  };
}

/**
 * The file module: one walk of the host for all searches, judging each file against the
 * searches active where it lies, yielding one metadata row per (search, matching file).
 */
export const runFile: ModuleRun<FileParams, FileRow> = async function* runFile(params, ctx) {
  const searches = planSearches(params);
  const bySearch = new Map(searches.map((s) => [s.label, s]));
  const counters = new Counters(ctx);
  const pacer = new Pacer(ctx.signal, () => counters.flush());
  const on = events(ctx, counters);
  const judge: Judge = { nowMs: ctx.now().getTime(), stats: counters.values, pacer, error: on.error };
  const walk = new Walk(searches, new HostRoot(ctx.root), on);
  try {
    for (const batch of walk.files()) {
      for (const task of batch) {
        if (pacer.isDue ? !(await pacer.pause()) : pacer.isAborted) return;
        counters.values.filesChecked++;
        const judged = judgeMetadata(task, judge);
        if (judged === undefined) continue;
        if (judged.readers.length > 0) {
          // Progress before a long read (a costly content regex may make it long): a stopped run
          // says how far it got. Not before each small one: a flush per file cost ~10 % of a
          // hash over 20,000 small files.
          if (judged.stat.size > CHUNK_BYTES) counters.flush();
          if (!(await judgeBytes(judged, judge))) return;
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
      if (pacer.isDue ? !(await pacer.pause()) : pacer.isAborted) return;
    }
  } finally {
    counters.flush();
  }
};
