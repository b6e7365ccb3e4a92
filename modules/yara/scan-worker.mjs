// @ts-check
/**
 * The YARA-X engine in a worker thread. Plain JavaScript on purpose: Node 20 cannot load a
 * TypeScript worker (tsx's loader does not reach worker threads), and this file is loaded by
 * URL, never imported. engine.ts is its only user and parses every message it posts.
 *
 * Why a worker at all: a scan is one synchronous WebAssembly call that YARA-X's own timeout
 * cannot interrupt in a wasm build (measured: a nested `for all ... in (0..filesize)` loop ran
 * 77 s with a 1 s timeout set). On the agent's thread that would freeze MQTT keepalives and the
 * runner's own timeout; here the parent just terminates the thread. It also keeps the rules'
 * `console` module output (console.log) off the agent's stdout: the parent drains it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Compiler, initSync } from '@virustotal/yara-x';
import { yaraWasmBytes } from './wasm-source.mjs';

const port = parentPort;
if (port === null) throw new Error('scan-worker.mjs runs only as a worker thread');

initSync({ module: yaraWasmBytes() });

/** @param {unknown} err */
function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

/** @param {readonly string[]} sources */
function compile(sources) {
  const compiler = new Compiler();
  try {
    for (const [i, source] of sources.entries()) {
      // One source keeps YARA's default namespace; several get one each so rule names may repeat.
      if (sources.length > 1) compiler.newNamespace(`ns${i + 1}`);
      try {
        compiler.addSource(source);
      } catch (err) {
        return { invalid: { index: i, message: messageOf(err) } };
      }
    }
    return { rules: compiler.build() };
  } finally {
    // build() consumes the compiler; free() on a consumed one is a no-op.
    compiler.free();
  }
}

/** Reads at most `size` bytes: a file that grew after fstat is scanned as it was measured. */
function readAll(/** @type {number} */ fd, /** @type {number} */ size) {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const n = readSync(fd, buffer, filled, size - filled, null);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}

/**
 * O_NOFOLLOW: the walk resolved symlinks inside the investigated root already; a final component
 * swapped for a symlink since then must not lead the read elsewhere. O_NONBLOCK: one swapped for
 * a FIFO must not block the open.
 * @param {import('@virustotal/yara-x').Scanner} scanner
 * @param {{ id: number, real: string, maxBytes: number }} task
 */
function scanFile(scanner, task) {
  const { id } = task;
  let fd;
  try {
    fd = openSync(task.real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    return { kind: 'failed', id, what: 'cannot open file', code: codeOf(err) };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { kind: 'skipped', id, reason: 'not-regular', size: stat.size };
    if (stat.size > task.maxBytes) return { kind: 'skipped', id, reason: 'too-large', size: stat.size };
    const bytes = readAll(fd, stat.size);
    const result = scanner.scan(bytes);
    /** @type {{ identifier: string, namespace: string, isPrivate: boolean, tags: string[] }[]} */
    const matches = result.matches;
    const rules = matches
      .filter((m) => !m.isPrivate)
      .map((m) => ({ rule: m.identifier, namespace: m.namespace, tags: m.tags }));
    /** @type {string[]} */
    // result.warnings repeats the compiler warnings for every file: reported once, at compile time.
    const problems = (result.errors ?? []).map(String);
    return { kind: 'scanned', id, size: bytes.length, mtimeMs: stat.mtimeMs, matches: rules, problems };
  } catch (err) {
    return { kind: 'failed', id, what: 'cannot scan file', code: codeOf(err) };
  } finally {
    closeSync(fd);
  }
}

/** @param {unknown} err */
function codeOf(err) {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return messageOf(err).slice(0, 200);
}

const compiled = compile(/** @type {{ sources: string[] }} */ (workerData).sources);
if (compiled.rules === undefined) {
  port.postMessage({ kind: 'invalid', ...compiled.invalid });
} else {
  const warnings = compiled.rules.warnings.map(String);
  const scanner = compiled.rules.scanner();
  port.on('message', (/** @type {{ id: number, real: string, maxBytes: number }} */ task) => {
    port.postMessage(scanFile(scanner, task));
  });
  port.postMessage({ kind: 'ready', warnings });
}
