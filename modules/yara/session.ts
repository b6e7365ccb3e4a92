import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { yaraWasmBytes } from './wasm-source.mjs';

/**
 * One scan-worker.mjs thread and its replies, one at a time: the engine posts a request and
 * waits for the next reply, a timeout, an abort, or the thread's death, whichever comes first.
 */

/**
 * The scan worker's script: scan-worker.mjs beside this file, or (a single-file agent, where
 * there is no such file) the bundle itself with a role its entry recognises.
 */
let scanWorker: { url: URL; data: Readonly<Record<string, unknown>> } = {
  url: new URL('./scan-worker.mjs', import.meta.url),
  data: {},
};

/** For agent/bundle/main.ts: start scan workers from `url` with `data` added to their workerData. */
export function useScanWorkerScript(script: { url: URL; data: Readonly<Record<string, unknown>> }): void {
  scanWorker = script;
}
/** Worker stderr lines kept for the debug log (a Rust panic lands there). */
const MAX_STDERR_CHARS = 500;

const matchSchema = z.strictObject({ rule: z.string(), namespace: z.string(), tags: z.array(z.string()) });

/** Everything the worker posts; parsed, not cast, so a drifted worker fails loudly. */
export const workerReply = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ready'), warnings: z.array(z.string()) }),
  z.strictObject({ kind: z.literal('invalid'), index: z.number().int(), message: z.string() }),
  z.strictObject({
    kind: z.literal('scanned'),
    id: z.number().int(),
    matches: z.array(matchSchema),
    problems: z.array(z.string()),
  }),
  z.strictObject({ kind: z.literal('failed'), id: z.number().int(), what: z.string(), code: z.string() }),
]);

export type WorkerReply = z.output<typeof workerReply>;
export type EngineMatch = z.output<typeof matchSchema>;

/** Why no reply came. */
export type NoReply = { kind: 'timeout' } | { kind: 'aborted' } | { kind: 'gone'; why: string };

export interface ScanRequest {
  id: number;
  /** The whole file; its buffer is transferred to the worker (unusable here afterwards). */
  bytes: Uint8Array<ArrayBuffer>;
}

let compiledWasm: Promise<WebAssembly.Module> | undefined;

/**
 * YARA-X's WebAssembly, compiled once per process (off the thread, by V8) and shared with every
 * engine's worker: V8 shares a Module's compiled code between threads. Compiled in each worker,
 * it cost ~0.7 s of CPU per engine start (measured at load ~23: 870 ms CPU for a worker's
 * start, rules and first scan, against 150-230 ms with the shared Module).
 */
export function yaraWasm(): Promise<WebAssembly.Module> {
  compiledWasm ??= (async () => {
    return WebAssembly.compile(await yaraWasmBytes());
  })();
  compiledWasm.catch(() => {
    compiledWasm = undefined;
  });
  return compiledWasm;
}

export class Session {
  private readonly worker: Worker;
  private readonly queue: (WorkerReply | NoReply)[] = [];
  private waiter: ((event: WorkerReply | NoReply) => void) | undefined;
  private gone: NoReply | undefined;

  /** `wasm`: from yaraWasm(). */
  constructor(sources: readonly string[], wasm: WebAssembly.Module, log: (message: string) => void) {
    // stdout: true keeps the rules' console.log output off the agent's stdout; it is dropped.
    this.worker = new Worker(scanWorker.url, {
      workerData: { ...scanWorker.data, sources, wasm },
      stdout: true,
      stderr: true,
    });
    this.worker.stdout.resume();
    this.worker.stderr.setEncoding('utf8');
    this.worker.stderr.on('data', (chunk: string) => log(`yara engine stderr: ${chunk.slice(0, MAX_STDERR_CHARS)}`));
    this.worker.on('message', (message: unknown) => this.deliver(parseReply(message)));
    this.worker.on('error', (err) => this.end(`engine error: ${err.message}`));
    this.worker.on('exit', (code) => this.end(`engine exited with code ${code}`));
  }

  post(request: ScanRequest): void {
    this.worker.postMessage(request, [request.bytes.buffer]);
  }

  /** The next reply, or why there was none within `timeoutMs`. */
  next(timeoutMs: number, signal: AbortSignal): Promise<WorkerReply | NoReply> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.gone !== undefined) return Promise.resolve(this.gone);
    if (signal.aborted) return Promise.resolve({ kind: 'aborted' });
    return new Promise((resolve) => {
      const finish = (event: WorkerReply | NoReply): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiter = undefined;
        resolve(event);
      };
      const onAbort = (): void => finish({ kind: 'aborted' });
      const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = finish;
    });
  }

  /** Stops the thread at once, even inside a scan. */
  async close(): Promise<void> {
    // A scan still waiting (another engine's file stopped the run) hears 'gone' now, not at its timeout.
    this.end('engine closed');
    await this.worker.terminate();
  }

  private deliver(event: WorkerReply | NoReply): void {
    if (this.waiter !== undefined) this.waiter(event);
    else this.queue.push(event);
  }

  private end(why: string): void {
    if (this.gone !== undefined) return;
    this.gone = { kind: 'gone', why };
    this.deliver(this.gone);
  }
}

function parseReply(message: unknown): WorkerReply | NoReply {
  const parsed = workerReply.safeParse(message);
  return parsed.success
    ? parsed.data
    : { kind: 'gone', why: `engine sent an unexpected message: ${parsed.error.message.slice(0, 300)}` };
}
