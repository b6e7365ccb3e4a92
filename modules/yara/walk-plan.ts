import type { ModuleContext } from '../../protocol/module-spec.js';
import { normalizePath, type SearchPlan } from '../shared/search/plan.js';
import { errorCode } from '../shared/search/resolve.js';
import type { WalkEvents } from '../shared/search/walk.js';
import type { YaraParams } from './params.js';

/**
 * The file module's walker (one read per directory, symlinks resolved inside ctx.root, directory
 * symlinks followed only when their target stays within a search path and never into a loop)
 * walks for one search: a SearchPlan with no filters of its own. The yara module filters by
 * name and scans here instead of in the file module's judge.
 */

export function walkPlan(params: YaraParams): SearchPlan {
  return {
    index: 0,
    label: 'yara',
    bases: [...new Set(params.paths.map(normalizePath))],
    maxdepth: params.maxdepth,
    mode: 'all',
    matchlimit: params.matchlimit,
    // Read problems are warnings here; the walk never stops on its own for them.
    maxerrors: Number.POSITIVE_INFINITY,
    isDecompress: false,
    isReturnSha256: false,
    isMacroal: false,
    mismatch: new Set(),
    names: [],
    modes: [],
    sizes: [],
    mtimes: [],
    contents: [],
    hashes: [],
    algorithms: new Set(),
    matches: 0,
    errors: 0,
    isStopped: false,
  };
}

/** Counters reported with the result, batched so the hot path does not call ctx.count per file. */
export class Counters {
  readonly values = {
    filesVisited: 0,
    dirsVisited: 0,
    filesScanned: 0,
    bytesScanned: 0,
    filesMatched: 0,
    filesTooLarge: 0,
    scanTimeouts: 0,
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

export function walkEvents(ctx: ModuleContext, counters: Counters): WalkEvents {
  return {
    error(_searches, path, what, err) {
      counters.values.errors++;
      ctx.warn(`${path}: ${what} (${errorCode(err)})`);
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
