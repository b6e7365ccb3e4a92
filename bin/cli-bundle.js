// @ts-check
import { CLI_COMMONJS, INVESTIGATOR_COMMONJS } from './dist-state.js';

/**
 * Which compiled CLI bundle `mig` runs (scripts/build.mjs writes them into dist/cli/):
 * - `commonjs`: one file run through V8's code cache (bin/code-cache.js), commonJsFileFor's.
 *   Node 20 caches no ES module; resolving, reading, compiling and linking the ~45 modules of a
 *   hunt cost it 15-90 ms more than this (doc/performance.md, "Start-up, session 11"). It needs a
 *   Node whose require() loads ES-only packages (20.19+: `process.features.require_module`).
 * - `esm`: the ES module bundle split by command, for the console (Ink has top-level await,
 *   which require() refuses), for an older Node, and when `MIG_CLI_BUNDLE=esm` asks for it
 *   (benchmarks' A/B, a way round a problem in the other).
 */

/** Commands that start the console. */
const CONSOLE_COMMANDS = ['console', 'demo'];
/** Commands that run the server, the agent or the audit tool, whose code the investigator's file leaves out. */
const SERVICE_COMMANDS = ['server', 'agent', 'audit'];

/**
 * @param {string | undefined} command argv's first word
 * @param {Record<string, string | undefined>} env
 * @param {{ require_module?: boolean }} features `process.features`
 * @returns {'commonjs' | 'esm'}
 * @throws {Error} naming MIG_CLI_BUNDLE, when it holds anything but esm
 */
export function cliBundleFor(command, env, features) {
  const asked = env.MIG_CLI_BUNDLE;
  // A typo must not silently become the default.
  if (asked !== undefined && asked !== '' && asked !== 'esm')
    throw new Error(`MIG_CLI_BUNDLE: expected esm (or unset), got ${JSON.stringify(asked)}`);
  if (asked === 'esm' || CONSOLE_COMMANDS.includes(command ?? '')) return 'esm';
  return features.require_module === true ? 'commonjs' : 'esm';
}

/**
 * The CommonJS file for `command`, repository-relative: the whole entry's for the server, the
 * agent and audit; the investigator's, smaller and so sooner loaded, for every other command
 * (2-4 ms on a one-file hunt, 7-9 ms on a content hunt; doc/performance.md, session 13).
 * @param {string | undefined} command argv's first word
 * @returns {string}
 */
export function commonJsFileFor(command) {
  return SERVICE_COMMANDS.includes(command ?? '') ? CLI_COMMONJS : INVESTIGATOR_COMMONJS;
}
