import { setFlagsFromString } from 'node:v8';

/**
 * How far the old generation may grow past what the last full collection left alive before the
 * next one starts, in percent. V8's own factor follows the allocation rate, up to 4×: during a
 * connect storm or an enrollment wave the server's heap grows fast, so V8 let garbage pile up to
 * about twice the live heap: `mig server` with 10,000 agents read 354 / 379 MB as the last of
 * them came online. At 1.5× it read 275-293 MB in six runs, with the storm's and the
 * enrollment's CPU within their spread (doc/performance.md, "Issue 12, session 10").
 */
export const SERVER_HEAP_GROWING_PERCENT = 50;

/**
 * Tunes V8 for the server's process (`mig server`): call it before the server starts. V8 reads
 * this flag whenever a full collection sets the next limit, so setting it at run time works;
 * Node warns that flags changed after start-up are not guaranteed, which is why only this one, a
 * pacing knob with no effect on what code does. The CLI, the console and tests keep V8's default.
 */
export function tuneV8ForServer(): void {
  setFlagsFromString(`--heap-growing-percent=${SERVER_HEAP_GROWING_PERCENT}`);
}
