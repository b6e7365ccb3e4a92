// What users run is dist/: the benches (and scripts) that time it build it first when a source
// changed since the last build, rather than measure the tsx fallback of an edited checkout.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { distIsFresh } from '../bin/dist-state.js';

const BUILD = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

/** Runs `npm run build`'s script when dist/ is stale; throws if it is still stale after. */
export function buildDistIfStale(): void {
  if (!distIsFresh()) spawnSync(process.execPath, [BUILD], { stdio: 'inherit' });
  if (!distIsFresh()) throw new Error('dist/ is not current after `npm run build`');
}

/**
 * Throws when a source changed while the rows ran: `bin/mig.js` then ran the sources through
 * tsx, and the figures timed that instead of dist/ (an edit during a bench did exactly this).
 */
export function expectDistStillFresh(what: string): void {
  if (!distIsFresh())
    throw new Error(`${what}: a source changed during the run, so some runs timed the tsx fallback; run it again`);
}
