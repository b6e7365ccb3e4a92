import { Worker } from 'node:worker_threads';
import type { ModuleCode } from '../../protocol/errors.js';
import { silentLog, type LogFn } from '../log.js';
import { DEFAULT_WATCHDOG, Watchdog, type RestartableWorkers, type WatchdogConfig } from '../watchdog.js';
import { workerEntry } from './entry.js';
import { DEFAULT_RUNNERS } from './locations.js';
import { FromWorkerSchema, type FromWorker, type JobRequest, type ToWorker } from './messages.js';

export type { JobRequest };
import { newBoard, readBoard, type ProgressSnapshot } from './progress-board.js';

/** What the worker reports while the job runs. */
export interface JobEvents {
  row(raw: unknown): void;
  warn(message: string): void;
  log(message: string): void;
  journal(entry: Record<string, unknown>): void;
}

/** How a job ended: the module finished (or stopped when asked), or its thread died. */
export type JobEnd =
  | { kind: 'done'; stats: Record<string, number>; error?: { code: string; message: string } }
  | { kind: 'memory' }
  | { kind: 'died'; why: string; code?: ModuleCode };

/** Stderr kept per chunk for the log (a module's stray console.error, a crash trace). */
const MAX_STDERR_CHARS = 500;

/**
 * A job handed to the pool. `started` resolves when a ready worker takes it (the module's time
 * counts from there); `ended` always resolves, never rejects.
 */
export class PoolJob {
  readonly started: Promise<void>;
  readonly ended: Promise<JobEnd>;
  markStarted: () => void = () => undefined;
  private finish: (end: JobEnd) => void = () => undefined;
  isEnded = false;
  slot: Slot | undefined;
  killTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: number,
    readonly request: JobRequest,
    readonly events: JobEvents,
    private readonly onAbortQueued: (job: PoolJob) => void,
  ) {
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    this.ended = new Promise((resolve) => (this.finish = resolve));
  }

  end(end: JobEnd): void {
    if (this.isEnded) return;
    this.isEnded = true;
    clearTimeout(this.killTimer);
    this.finish(end);
  }

  /** The module's last progress snapshot, read without asking its (maybe busy) thread. */
  progress(): ProgressSnapshot | undefined {
    return this.slot === undefined ? undefined : readBoard(this.slot.board, this.id);
  }

  /** The parent took this many rows: the worker may send more. */
  ack(rows: number): void {
    this.slot?.send({ kind: 'ack', job: this.id, rows });
  }

  /**
   * Asks the module to stop (its signal aborts); a worker that has not said `done` within
   * `graceMs` (a module stuck in a computation never sees its signal) is terminated.
   */
  abort(graceMs: number): void {
    if (this.isEnded) return;
    const slot = this.slot;
    if (slot === undefined) {
      this.onAbortQueued(this);
      this.end({ kind: 'done', stats: {} });
      return;
    }
    slot.send({ kind: 'abort', job: this.id });
    this.killTimer ??= setTimeout(() => slot.kill(`still running ${graceMs} ms after it was told to stop`), graceMs);
  }
}

/** One worker thread, idle or running one job. */
class Slot {
  readonly worker: Worker;
  /** Where the worker's module writes its progress (progress-board.ts). */
  readonly board = newBoard();
  isReady = false;
  isDead = false;
  job: PoolJob | undefined;

  constructor(
    memoryMb: number,
    private readonly log: LogFn,
    private readonly onReady: (slot: Slot) => void,
    private readonly onFree: (slot: Slot) => void,
    private readonly onDeath: (slot: Slot, why: string) => void,
  ) {
    const entry = workerEntry();
    this.worker = new Worker(entry.url, {
      workerData: { ...entry.data, defaultRunners: DEFAULT_RUNNERS, board: this.board },
      // The memory ceiling: V8 stops this thread (not the agent) when the module's heap outgrows it.
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
      // A module's console output must not reach the agent's stdout; stderr goes to the debug log.
      stdout: true,
      stderr: true,
      // The parent's flags (`--import tsx`, a debugger) are not for this thread: entry.ts decides how it loads.
      execArgv: [],
    });
    this.worker.unref();
    this.worker.stdout.resume();
    this.worker.stderr.setEncoding('utf8');
    this.worker.stderr.on('data', (chunk: string) =>
      this.log('debug', `module worker stderr: ${chunk.slice(0, MAX_STDERR_CHARS)}`),
    );
    this.worker.on('message', (raw: unknown) => this.receive(raw));
    this.worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') this.job?.end({ kind: 'memory' });
      this.die(`worker error: ${err.message}`);
    });
    this.worker.on('exit', (code) => this.die(`worker exited with code ${code}`));
  }

  send(message: ToWorker): void {
    if (!this.isDead) this.worker.postMessage(message);
  }

  start(job: PoolJob): void {
    this.job = job;
    job.slot = this;
    this.worker.ref();
    const { request } = job;
    this.send({ kind: 'run', job: job.id, ...request });
    job.markStarted();
  }

  kill(why: string): void {
    this.die(why);
    void this.worker.terminate();
  }

  private receive(raw: unknown): void {
    const parsed = FromWorkerSchema.safeParse(raw);
    if (!parsed.success) return this.kill(`worker sent an unexpected message: ${parsed.error.message.slice(0, 300)}`);
    const message: FromWorker = parsed.data;
    if (message.kind === 'ready') {
      this.isReady = true;
      return this.onReady(this);
    }
    const job = this.job;
    if (job === undefined || message.job !== job.id || job.isEnded) return;
    switch (message.kind) {
      case 'row':
        return job.events.row(message.row);
      case 'warn':
        return job.events.warn(message.message);
      case 'log':
        return job.events.log(message.message);
      case 'journal':
        return job.events.journal(message.entry);
      case 'done':
        job.end({
          kind: 'done',
          stats: message.stats,
          ...(message.error === undefined ? {} : { error: message.error }),
        });
        this.job = undefined;
        this.worker.unref();
        return this.onFree(this);
    }
  }

  private die(why: string): void {
    if (this.isDead) return;
    this.isDead = true;
    this.job?.end({ kind: 'died', why });
    this.onDeath(this, why);
  }
}

export interface PoolOptions {
  /** Worker threads at most: the agent's maxConcurrent (commands run their operations one by one). */
  size: number;
  /** Each worker's heap ceiling (the agent config's moduleMemoryMb). */
  memoryMb: number;
  log?: LogFn;
}

/**
 * A small pool of module worker threads, started on first use and kept warm: jobs wait in
 * arrival order for an idle worker. A worker that dies (out of memory, terminated on timeout or
 * cancel, crashed) is dropped and a fresh one started for the next job.
 */
export class ModulePool {
  private readonly slots = new Set<Slot>();
  private readonly queue: PoolJob[] = [];
  private nextId = 1;
  private size: number;
  private isClosed = false;
  /** Workers that died before they were ready, in a row: a thread that cannot boot fails jobs instead of looping. */
  private bootFailures = 0;
  private readonly log: LogFn;

  constructor(private readonly opts: PoolOptions) {
    this.size = opts.size;
    this.log = opts.log ?? silentLog;
  }

  get memoryMb(): number {
    return this.opts.memoryMb;
  }

  /** Thread ids of the live workers (tests check reuse and replacement). */
  threadIds(): number[] {
    return [...this.slots].filter((s) => !s.isDead).map((s) => s.worker.threadId);
  }

  liveWorkers(): number {
    return this.threadIds().length;
  }

  busyWorkers(): number {
    return [...this.slots].filter((s) => !s.isDead && s.job !== undefined).length;
  }

  /**
   * The watchdog's remedy: every worker is terminated, its running job ending with `code` and
   * `why`; queued jobs wait for the fresh workers, and one is started at once.
   */
  restart(why: string, code: ModuleCode): void {
    for (const slot of [...this.slots]) {
      slot.job?.end({ kind: 'died', why, code });
      slot.kill(why);
    }
    this.prewarm();
  }

  /** Never shrinks below the running workers; a larger size lets queued jobs start. */
  resize(size: number): void {
    this.size = size;
    this.pump();
  }

  submit(request: JobRequest, events: JobEvents): PoolJob {
    const job = new PoolJob(this.nextId++, request, events, (queued) => {
      const at = this.queue.indexOf(queued);
      if (at >= 0) this.queue.splice(at, 1);
    });
    if (this.isClosed) job.end({ kind: 'died', why: 'the agent is shutting down' });
    else {
      this.queue.push(job);
      this.pump();
    }
    return job;
  }

  /** Starts a worker now, so the first operation does not wait for its start. */
  prewarm(): void {
    if (!this.isClosed && this.slots.size === 0) this.spawn();
  }

  async close(): Promise<void> {
    this.isClosed = true;
    for (const job of this.queue.splice(0)) job.end({ kind: 'died', why: 'the agent is shutting down' });
    await Promise.all([...this.slots].map((slot) => slot.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const idle = [...this.slots].find((s) => s.isReady && !s.isDead && s.job === undefined);
      if (idle === undefined) break;
      const job = this.queue.shift() as PoolJob;
      idle.start(job);
    }
    let starting = [...this.slots].filter((s) => !s.isReady).length;
    while (this.queue.length > starting && this.slots.size < this.size) {
      this.spawn();
      starting++;
    }
  }

  private spawn(): void {
    const slot = new Slot(
      this.opts.memoryMb,
      this.log,
      () => {
        this.bootFailures = 0;
        this.pump();
      },
      () => this.pump(),
      (dead, why) => this.onDeath(dead, why),
    );
    this.slots.add(slot);
  }

  private onDeath(slot: Slot, why: string): void {
    this.slots.delete(slot);
    if (this.isClosed) return;
    if (!slot.isReady) {
      this.bootFailures++;
      this.log('error', `module worker failed to start: ${why}`);
      // The error is not the job's doing, but a worker that cannot start will not start next time either.
      if (this.bootFailures >= 2)
        this.queue.shift()?.end({ kind: 'died', why: `the module worker cannot start: ${why}` });
    } else this.log('debug', `module worker stopped: ${why}`);
    this.pump();
  }
}

/** Pools shared by the agents of one process (tests and benchmarks run many), by memory ceiling. */
const shared = new Map<number, { pool: ModulePool; watchdog: Watchdog; sizes: number[] }>();

/**
 * The process's pool for this memory ceiling, sized to the largest size asked; released by the
 * last agent, it is closed. One host runs one agent, so this is one pool; a benchmark with a
 * thousand agents in a process gets one pool too, not a thousand.
 */
export function leaseSharedPool(opts: PoolOptions & { watchdog?: WatchdogConfig }): {
  pool: ModulePool;
  watchdog: Watchdog;
  release(): Promise<void>;
} {
  let entry = shared.get(opts.memoryMb);
  if (entry === undefined) {
    const pool = new ModulePool(opts);
    // One watchdog per pool: it measures the process, and the first agent's limits rule it.
    const watchdog = new Watchdog({
      limits: opts.watchdog ?? DEFAULT_WATCHDOG,
      workers: pool satisfies RestartableWorkers,
      log: opts.log,
    });
    watchdog.start();
    entry = { pool, watchdog, sizes: [] };
    shared.set(opts.memoryMb, entry);
  }
  const held = entry;
  held.sizes.push(opts.size);
  held.pool.resize(Math.max(...held.sizes));
  let isReleased = false;
  return {
    pool: held.pool,
    watchdog: held.watchdog,
    release: async () => {
      if (isReleased) return;
      isReleased = true;
      held.sizes.splice(held.sizes.indexOf(opts.size), 1);
      if (held.sizes.length > 0) return held.pool.resize(Math.max(...held.sizes));
      shared.delete(opts.memoryMb);
      held.watchdog.stop();
      await held.pool.close();
    },
  };
}
