import { ModuleError } from '../../protocol/errors.js';
import { yaraWasm } from './session.js';

/**
 * Compiles small rule sets in the module's own thread, only to check them and hear the
 * compiler's warnings: with the prefilter most runs need no engine at all, and an engine's
 * worker thread costs ~70 ms of CPU to boot and more to stop, against a few milliseconds for
 * compiling a few rules here (agent modules run in a module worker thread anyway, which the
 * agent terminates when an operation overruns). Larger sets, which may take seconds to compile,
 * are compiled by the first engine in its worker, where a timeout or a cancel can stop them.
 */

/** Up to this many characters of rules (all sources) compile in the module's thread. */
export const IN_THREAD_COMPILE_CHARS = 32 * 1024;

let initialized: Promise<typeof import('@virustotal/yara-x')> | undefined;

function engine(): Promise<typeof import('@virustotal/yara-x')> {
  initialized ??= (async () => {
    try {
      const [yara, wasm] = await Promise.all([import('@virustotal/yara-x'), yaraWasm()]);
      yara.initSync({ module: wasm });
      return yara;
    } catch (err) {
      throw new ModuleError(
        'MODULE_FAILED',
        `the YARA engine did not start: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  })();
  initialized.catch(() => {
    initialized = undefined;
  });
  return initialized;
}

// Alike on purpose (duplicates): scan-worker.mjs compiles the same way; it is plain JavaScript in a
// worker thread and cannot import this file.
/**
 * The compiler's warnings, or INVALID_PARAMETERS naming the source that does not compile, as
 * the engine's worker reports them (scan-worker.mjs compiles the same way: one namespace per
 * source when there are several).
 */
export async function checkRules(sources: readonly string[], signal: AbortSignal): Promise<string[]> {
  const { Compiler } = await engine();
  if (signal.aborted) throw new ModuleError('MODULE_CANCELLED', 'cancelled while compiling the YARA rules');
  const compiler = new Compiler();
  try {
    for (const [i, source] of sources.entries()) {
      if (sources.length > 1) compiler.newNamespace(`ns${i + 1}`);
      try {
        compiler.addSource(source);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new ModuleError('INVALID_PARAMETERS', `rules.${i}: the YARA rules do not compile: ${message}`);
      }
    }
    const rules = compiler.build();
    const warnings = rules.warnings.map(String);
    rules.free();
    return warnings;
  } finally {
    // build() consumes the compiler; free() on a consumed one is a no-op.
    compiler.free();
  }
}
