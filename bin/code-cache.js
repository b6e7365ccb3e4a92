// @ts-check
/**
 * Loads a CommonJS bundle through V8's code cache: the bytecode V8 compiled the last time,
 * saved beside the bundle, instead of parsing and compiling it again at every start. zod and
 * re2js are two thirds of the JavaScript a one-file hunt loads; compiling them cost more than
 * running them (doc/performance.md, "Start-up, session 6"). Node 20 caches no ES module
 * (`module.enableCompileCache` is 22.1+), so scripts/build.mjs bundles those two as CommonJS
 * (dist/vendor/*.cjs) and the CLI bundle imports them through this loader.
 *
 * Never a reason to fail: a cache that is missing, unreadable or rejected by V8 (another Node,
 * other V8 flags) only means compiling as before; the cache is then written at exit, to a
 * temporary file renamed into place so two `mig` at once never read half a file. A directory
 * that cannot be written (a read-only install) simply stays without a cache.
 *
 * V8 checks a cache against the source's length only, so the cache's name holds the bundle's
 * size and mtime: a rebuilt bundle never meets the bytecode of the one before.
 */
import { accessSync, constants, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** @typedef {'accepted' | 'rejected' | 'absent'} CacheState */

/**
 * The file holding the code cache of `file`, named after the file's size and mtime.
 * @param {string} file
 * @returns {string}
 */
export function cacheFileFor(file) {
  const { size, mtimeMs } = statSync(file);
  return `${file}.${size}-${Math.trunc(mtimeMs)}.v8-cache`;
}

/**
 * Runs the CommonJS file `file` (with `require` resolving from its folder) and returns its
 * `module.exports`, compiled from the cache beside it when V8 accepts it.
 * @param {string} file absolute path
 * @returns {{ exports: Record<string, unknown>; cache: CacheState }}
 */
export function loadCommonJs(file) {
  const source = decodeSource(readFileSync(file));
  const cacheFile = cacheFileFor(file);
  /** @type {Buffer | undefined} */
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // Node's own wrapper, on the first line so line numbers in stack traces stay the file's.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
  const script = new Script(wrapped, { filename: file, cachedData });
  /** @type {{ exports: Record<string, unknown> }} */
  const module = { exports: {} };
  /** @type {(...args: unknown[]) => void} */
  const run = script.runInThisContext();
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  /** @type {CacheState} */
  const cache = cachedData === undefined ? 'absent' : script.cachedDataRejected === true ? 'rejected' : 'accepted';
  // At exit, not now: the cache then also holds the functions this run compiled lazily (the
  // schema constructors and parsers a command uses), not just the top level.
  if (cache !== 'accepted' && canWrite(dirname(file))) process.once('exit', () => writeCache(script, cacheFile));
  return { exports: module.exports, cache };
}

/**
 * The bundle's text. The build writes it as ASCII (scripts/ascii-escape.mjs), which decodes
 * as Latin-1 into a one-byte string three times faster than through UTF-8; a file that is not
 * ASCII after all (other characters in a regular expression or a tagged template, which the
 * build leaves as written) still decodes right, as UTF-8.
 * @param {Buffer} bytes
 * @returns {string}
 */
function decodeSource(bytes) {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * Serializing the cache costs CPU at every exit: not worth it where it cannot be saved (a
 * read-only install run by another Node than the one that built it).
 * @param {string} dir
 * @returns {boolean}
 */
function canWrite(dir) {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * @param {Script} script
 * @param {string} cacheFile
 */
function writeCache(script, cacheFile) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  } catch {
    // A read-only install, a full disk: the next start compiles, as without a cache.
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was written, or nothing can be removed: either way nothing to do.
    }
  }
}
