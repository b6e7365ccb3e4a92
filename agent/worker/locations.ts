import type { ModuleRun } from '../../protocol/module-spec.js';
import { moduleRunners } from '../../modules/runners.js';
import type { RunnerLocation } from './messages.js';

/**
 * A worker thread cannot receive a function: it imports the module that exports the runner map
 * and picks the run function by name. This remembers, for each run function the parent holds,
 * where a worker finds the same function. A runner map handed to the agent (tests, benchmarks)
 * is located by whoever builds it; a function nobody located runs on the agent's own thread.
 */
const locations = new WeakMap<ModuleRun<never, unknown>, RunnerLocation & { module: string }>();

/**
 * Records that `runners` is exported as `exportName` by the ES module at `url` (pass the
 * defining file's `import.meta.url`, so the path holds in TypeScript and in compiled code).
 * Returns the same map.
 */
export function locateRunners<M extends ReadonlyMap<string, ModuleRun<never, unknown>>>(
  url: string,
  exportName: string,
  runners: M,
): M {
  for (const [module, run] of runners) locations.set(run, { url, exportName, module });
  return runners;
}

/** Where a worker finds this run function for `module`; undefined: nowhere (it runs inline). */
export function locationOf(module: string, run: ModuleRun<never, unknown>): RunnerLocation | undefined {
  const found = locations.get(run);
  // The same function registered under another name is not this module's runner there.
  return found?.module === module ? { url: found.url, exportName: found.exportName } : undefined;
}

/** The real modules: what every worker loads at boot, so the first job does not wait for it. */
export const DEFAULT_RUNNERS: RunnerLocation = {
  url: new URL('../../modules/runners.js', import.meta.url).href,
  exportName: 'moduleRunners',
};

locateRunners(DEFAULT_RUNNERS.url, DEFAULT_RUNNERS.exportName, moduleRunners);
