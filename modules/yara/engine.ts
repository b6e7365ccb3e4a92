import { BugError, ModuleError } from '../../protocol/errors.js';
import { Session, yaraWasm, type EngineMatch, type NoReply, type WorkerReply } from './session.js';

/**
 * YARA-X (WebAssembly, package @virustotal/yara-x) behind a worker thread: rules compile once
 * per engine (run.ts starts up to one per core); each file's bytes, read by run.ts, are scanned in the worker. A scan that
 * overruns its time is stopped by terminating the thread, which is then started again with the
 * same rules for the next file.
 */

export interface EngineOptions {
  signal: AbortSignal;
  /** Debug log (worker stderr). */
  log: (message: string) => void;
  /** One file's scan. */
  scanTimeoutMs: number;
  /** Starting the worker and compiling the rules. */
  startTimeoutMs: number;
}

/** The worker's answer about one file (scanned, skipped, failed), or why there is none. */
export type ScanOutcome =
  Exclude<WorkerReply, { kind: 'ready' | 'invalid' }> | { kind: 'timeout' } | { kind: 'aborted' };
export type { EngineMatch };

/** A worker dying this many times in a row is not the file's fault: the operation fails. */
const MAX_CONSECUTIVE_CRASHES = 3;

export class YaraEngine {
  private session: Session | undefined;
  private crashes = 0;
  private nextId = 1;

  private constructor(
    private readonly sources: readonly string[],
    private readonly wasm: WebAssembly.Module,
    private readonly options: EngineOptions,
    session: Session,
    /** Compiler warnings (unused pattern, slow loop...), once per operation. */
    readonly warnings: readonly string[],
  ) {
    this.session = session;
  }

  /**
   * Compiles `sources`. Throws INVALID_PARAMETERS naming the source that does not compile,
   * MODULE_CANCELLED, MODULE_TIMEOUT, or MODULE_FAILED when the engine cannot start.
   */
  static async start(sources: readonly string[], options: EngineOptions): Promise<YaraEngine> {
    const wasm = await yaraWasm();
    const session = new Session(sources, wasm, options.log);
    const first = await session.next(options.startTimeoutMs, options.signal);
    if (first.kind === 'ready') return new YaraEngine(sources, wasm, options, session, first.warnings);
    await session.close();
    if (first.kind === 'invalid') {
      throw new ModuleError(
        'INVALID_PARAMETERS',
        `rules.${first.index}: the YARA rules do not compile: ${first.message}`,
      );
    }
    throw startFailure(first, options.startTimeoutMs);
  }

  /** Scans `bytes`, whose buffer is transferred (unusable by the caller afterwards). */
  async scan(bytes: Uint8Array<ArrayBuffer>): Promise<ScanOutcome> {
    const session = this.session ?? (await this.restart());
    const id = this.nextId++;
    session.post({ id, bytes });
    const reply = await session.next(this.options.scanTimeoutMs, this.options.signal);
    switch (reply.kind) {
      case 'scanned':
      case 'failed':
        if (reply.id !== id) throw new BugError(`yara engine answered request ${reply.id}, expected ${id}`);
        this.crashes = 0;
        return reply;
      case 'timeout':
      case 'aborted':
        await this.drop();
        return reply;
      case 'gone':
        await this.drop();
        if (++this.crashes >= MAX_CONSECUTIVE_CRASHES)
          throw new ModuleError('MODULE_FAILED', `the YARA engine failed ${this.crashes} times in a row: ${reply.why}`);
        return { kind: 'failed', id, what: 'the YARA engine stopped while scanning', code: reply.why };
      default:
        throw new BugError(`yara engine answered a scan with '${reply.kind}'`);
    }
  }

  async close(): Promise<void> {
    await this.drop();
  }

  private async drop(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }

  private async restart(): Promise<Session> {
    const session = new Session(this.sources, this.wasm, this.options.log);
    const first = await session.next(this.options.startTimeoutMs, this.options.signal);
    if (first.kind === 'ready') {
      this.session = session;
      return session;
    }
    await session.close();
    // The same rules compiled before: anything but 'ready' is the engine's failure, not the rules'.
    if (first.kind === 'invalid')
      throw new ModuleError('MODULE_FAILED', `the YARA engine refused rules it compiled before: ${first.message}`);
    throw startFailure(first, this.options.startTimeoutMs);
  }
}

function startFailure(reply: WorkerReply | NoReply, timeoutMs: number): ModuleError {
  switch (reply.kind) {
    case 'aborted':
      return new ModuleError('MODULE_CANCELLED', 'cancelled while compiling the YARA rules');
    case 'timeout':
      return new ModuleError('MODULE_TIMEOUT', `the YARA rules did not compile within ${timeoutMs} ms`);
    case 'gone':
      return new ModuleError('MODULE_FAILED', `the YARA engine did not start: ${reply.why}`);
    default:
      return new ModuleError('MODULE_FAILED', `the YARA engine answered '${reply.kind}' while starting`);
  }
}
