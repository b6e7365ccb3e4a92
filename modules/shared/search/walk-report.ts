import type { ModuleContext } from '../../../protocol/module-spec.js';
import type { SearchPlan } from './plan.js';
import { errorCode } from './resolve.js';
import type { WalkEvents } from './walk.js';

/**
 * What every module walking the host with `Walk` reports the same way (file, yara): its
 * counters, batched, and the walk's own events as warnings, log lines and counts.
 */

/** The counters every walk keeps; a module adds its own. */
export const WALK_COUNTERS = ['filesVisited', 'dirsVisited', 'errors', 'symlinksNotFollowed'] as const;
export type WalkCounter = (typeof WALK_COUNTERS)[number];

/** Counters reported with the result, batched so the hot path does not call ctx.count per file. */
export class Counters<Name extends string> {
  readonly values: Record<Name, number>;

  constructor(
    private readonly ctx: ModuleContext,
    names: readonly Name[],
  ) {
    this.values = Object.fromEntries(names.map((name) => [name, 0])) as Record<Name, number>;
  }

  flush(): void {
    for (const name of Object.keys(this.values) as Name[]) {
      const value = this.values[name];
      if (value !== 0) this.ctx.count(name, value);
      this.values[name] = 0;
    }
  }
}

/**
 * The walk's events: a read problem is a warning (and `onError` hears which searches it
 * touched), a symlink not followed is counted.
 */
export function walkEvents(
  ctx: ModuleContext,
  counters: { readonly values: Record<WalkCounter, number> },
  onError: (searches: readonly SearchPlan[]) => void = () => undefined,
): WalkEvents {
  return {
    error(searches, path, what, err) {
      counters.values.errors++;
      ctx.warn(`${path}: ${what} (${errorCode(err)})`);
      onError(searches);
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
