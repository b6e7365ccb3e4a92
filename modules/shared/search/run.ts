import type { ModuleContext, ModuleRun } from '../../../protocol/module-spec.js';
import { judgeBytes, judgeMetadata, rowsOf, type FileRow, type Judge } from './evaluate.js';
import { Pacer } from './pacer.js';
import { CHUNK_BYTES } from './read.js';
import type { FileParams } from './params.js';
import { planSearches, type SearchPlan } from './plan.js';
import { HostRoot } from './resolve.js';
import { Walk } from './walk.js';
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

/**
 * The file module: one walk of the host for all searches, judging each file against the
 * searches active where it lies, yielding one metadata row per (search, matching file).
 */
export const runFile: ModuleRun<FileParams, FileRow> = async function* runFile(params, ctx) {
  const searches = planSearches(params);
  const bySearch = new Map(searches.map((s) => [s.label, s]));
  const counters = new Counters(ctx, FILE_COUNTERS);
  const pacer = new Pacer(ctx.signal, () => counters.flush());
  const on = walkEvents(ctx, counters, countSearchErrors(ctx));
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
