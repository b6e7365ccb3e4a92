#!/usr/bin/env node
// The `mig` executable. Runs the compiled JavaScript in dist/ (built by `npm ci` through the
// `prepare` script, or `npm run build`): starting from JavaScript costs tens of milliseconds,
// compiling TypeScript at every start cost a second (doc/performance.md, Start-up).
//
// In a dev checkout whose sources changed since the last build, dist/ is not run: it would
// silently be yesterday's code. The sources run through tsx instead (a dev dependency), with a
// one-line notice when a person is watching stderr. Rebuilding here instead would make the
// next command wait tens of seconds and race with a second `mig` started meanwhile.
//
// dist/cli/ holds the CLI as CommonJS files run through V8's code cache (the investigator's
// commands alone, and the whole entry for the server, agent and audit) and as an ES module
// bundle split by command, for the console (bin/cli-bundle.js decides).
// `mig --help`, the same text on every machine, is printed from the file the build rendered: it
// would otherwise build every module's schemas just to list their names.
// When the command is done, the process ends at once if nothing is left to wait for
// (bin/prompt-exit.js), instead of after V8's background work.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cliBundleFor, commonJsFileFor } from './cli-bundle.js';
import { OVERVIEW_HELP, REPO_ROOT, distIsFresh } from './dist-state.js';
import { exitPromptly } from './prompt-exit.js';

const HELP_FLAGS = ['--help', '-h', '-help', 'help'];
const argv = process.argv.slice(2);
const fresh = distIsFresh();
const help = fresh && argv.length === 1 && HELP_FLAGS.includes(argv[0] ?? '') ? prerenderedHelp() : undefined;
if (help !== undefined) {
  process.stdout.write(help);
} else {
  /** @type {(argv: string[]) => Promise<number>} */
  const main = fresh ? await compiledMain(argv[0]) : await sourceMain();
  exitPromptly(await main(argv));
}

/** @returns {string | undefined} undefined when the build did not write it (then main renders it) */
function prerenderedHelp() {
  try {
    return readFileSync(`${REPO_ROOT}${OVERVIEW_HELP}`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The compiled `main`, from the bundle bin/cli-bundle.js picks for this command.
 * @param {string | undefined} command
 * @returns {Promise<(argv: string[]) => Promise<number>>}
 */
async function compiledMain(command) {
  let bundle;
  try {
    bundle = cliBundleFor(command, process.env, process.features);
  } catch (err) {
    process.stderr.write(`mig: ${/** @type {Error} */ (err).message}\n`);
    process.exit(2);
  }
  if (bundle === 'esm') return (await import('../dist/cli/main.js')).main;
  const { loadCommonJs } = await import('./code-cache.js');
  return /** @type {(argv: string[]) => Promise<number>} */ (
    loadCommonJs(`${REPO_ROOT}${commonJsFileFor(command)}`).exports.main
  );
}

/** @returns {Promise<(argv: string[]) => Promise<number>>} */
async function sourceMain() {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      'mig: dist/ is missing or older than the sources, and tsx (a dev dependency) is not installed: run `npm run build`\n',
    );
    process.exit(2);
  }
  if (process.stderr.isTTY)
    process.stderr.write(
      'mig: sources changed since the last build, running them through tsx (slow start; `npm run build` compiles them)\n',
    );
  // Our tsconfig, not the one of whatever directory `mig` runs in (tsx looks in the cwd): without
  // its `jsx: react-jsx` the console fails with "React is not defined".
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  const { main: fromSource } = await import('./main.ts');
  return fromSource;
}
