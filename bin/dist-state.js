// @ts-check
/**
 * Is dist/ (the compiled JavaScript `mig` runs) current with the TypeScript sources? Plain
 * JavaScript because bin/mig.js asks before anything can be compiled, and scripts/build.mjs
 * writes what it reads: a stamp, and the list of files the build read. Checking is one stat per
 * listed file and no directory walk (a recursive readdir cost more than the stats): what keeps
 * a dev checkout from silently running yesterday's build after an edit or a `git pull`. A file
 * added since the build matters only once a listed file imports it, and that file changed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, with a trailing slash (this file is bin/dist-state.js). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Directories compiled into dist/ (tsconfig.build.json's include list). */
export const SOURCE_DIRS = ['protocol', 'intel', 'modules', 'agent', 'broker', 'console', 'bin', 'demo'];

/** Root files whose change changes the build: compiler settings, and the version dist/package.json copies. */
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** Written by scripts/build.mjs when a build succeeds, with the mtime of the build's start. */
export const STAMP = 'dist/.build-stamp';
/** The files that build read, one repository-relative path a line. */
export const SOURCE_LIST = 'dist/.build-sources';
/** `mig --help`'s output, rendered by the build (it depends on nothing but the sources). */
export const OVERVIEW_HELP = 'dist/cli/overview-help.txt';
/** The whole `mig` entry (bin/main.ts) as one CommonJS file, run through bin/code-cache.js: for the server, the agent and audit. */
export const CLI_COMMONJS = 'dist/cli/main.cjs';
/** The investigator's commands alone (bin/investigator-main.ts) as one CommonJS file: every other command but the console's. */
export const INVESTIGATOR_COMMONJS = 'dist/cli/investigator.cjs';

/**
 * Files whose content ends up in dist/: TypeScript sources, the assets the build copies, and
 * plain JavaScript the CLI bundle inlines (bin/code-cache.js; bin/mig.js and this file are
 * listed too, harmlessly: an edit there only asks for a build).
 */
const COMPILED = /\.(ts|tsx|mjs|js|json)$/;
/** Tests and test support are not compiled (tsconfig.build.json's exclude list). */
const TEST = /\.test\.tsx?$|^test-.*\.ts$/;
const TEST_DIR = /\/testing(\/|$)/;

/**
 * The files a build reads, repository-relative: what scripts/build.mjs lists for distIsFresh.
 * @param {string} [root]
 * @returns {string[]}
 */
export function buildInputs(root = REPO_ROOT) {
  const files = [...BUILD_INPUTS];
  for (const dir of SOURCE_DIRS) {
    for (const entry of readdirSync(`${root}${dir}`, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && COMPILED.test(entry.name) && !TEST.test(entry.name) && !TEST_DIR.test(entry.parentPath))
        files.push(`${entry.parentPath.slice(root.length)}/${entry.name}`);
    }
  }
  return files;
}

/**
 * True when dist/ holds a successful build that started after the last change to every file it
 * read. A listed file that is gone counts as a change.
 * @param {string} [root] with a trailing slash
 * @returns {boolean}
 */
export function distIsFresh(root = REPO_ROOT) {
  const stamp = statSync(`${root}${STAMP}`, { throwIfNoEntry: false });
  if (stamp === undefined) return false;
  let list;
  try {
    list = readFileSync(`${root}${SOURCE_LIST}`, 'utf8');
  } catch {
    return false;
  }
  for (const file of list.split('\n')) {
    if (file === '') continue;
    const stat = statSync(`${root}${file}`, { throwIfNoEntry: false });
    if (stat === undefined || stat.mtimeMs > stamp.mtimeMs) return false;
  }
  return true;
}
