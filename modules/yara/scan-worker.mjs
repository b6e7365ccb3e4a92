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
import { parentPort, workerData } from 'node:worker_threads';
import { Compiler, initSync } from '@virustotal/yara-x';

const port = parentPort;
if (port === null) throw new Error('scan-worker.mjs runs only as a worker thread');

// The engine's WebAssembly, compiled once per process by session.ts and shared with every
// worker: compiling its 5.9 MB here cost ~0.7 s of CPU per engine start.
initSync({ module: /** @type {{ wasm: WebAssembly.Module }} */ (workerData).wasm });

/** @param {unknown} err */
function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

// Alike on purpose (duplicates): compile-check.ts compiles the same way; this file is plain
// JavaScript loaded by URL in a worker thread and can import no TypeScript (see the top of the
// file).
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

/**
 * Scans one file's bytes, read (and prefiltered) by the module's thread and transferred here.
 * @param {import('@virustotal/yara-x').Scanner} scanner
 * @param {{ id: number, bytes: Uint8Array }} task
 */
function scanBytes(scanner, task) {
  const { id } = task;
  try {
    const result = scanner.scan(task.bytes);
    /** @type {{ identifier: string, namespace: string, isPrivate: boolean, tags: string[] }[]} */
    const matches = result.matches;
    const rules = matches
      .filter((m) => !m.isPrivate)
      .map((m) => ({ rule: m.identifier, namespace: m.namespace, tags: m.tags }));
    /** @type {string[]} */
    // result.warnings repeats the compiler warnings for every file: reported once, at compile time.
    const problems = (result.errors ?? []).map(String);
    return { kind: 'scanned', id, matches: rules, problems };
  } catch (err) {
    return { kind: 'failed', id, what: 'cannot scan file', code: codeOf(err) };
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
  port.on('message', (/** @type {{ id: number, bytes: Uint8Array }} */ task) => {
    port.postMessage(scanBytes(scanner, task));
  });
  port.postMessage({ kind: 'ready', warnings });
}
