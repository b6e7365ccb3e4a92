import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { BaseError } from '../../protocol/errors.js';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { moduleRunners } from '../../modules/runners.js';
import { DEFAULT_RUNNERS } from './locations.js';
import { PROGRESS_MS, ROW_WINDOW, type FromWorker, type RunnerLocation, type ToWorker } from './messages.js';
import { writeBoard } from './progress-board.js';

/**
 * A module worker thread (started by pool.ts): runs one module operation at a time and streams
 * what the module yields to the parent, which filters, caps and answers exactly as for a module
 * on its own thread. This thread is what the parent terminates when a module overruns its time
 * or its memory: the agent's event loop, heartbeats and other commands never wait for it.
 */
const port = parentPort;
if (port === null) throw new Error('module-worker runs only as a worker thread');

const Location = z.strictObject({ url: z.string(), exportName: z.string() });
const data = z.object({ defaultRunners: Location, board: z.instanceof(SharedArrayBuffer) }).parse(workerData);

type RunnerMap = ReadonlyMap<string, ModuleRun<never, unknown>>;
const catalogs = new Map<string, Promise<RunnerMap>>();

/** The runner map a location names, imported once per thread. */
function runnersAt(location: RunnerLocation): Promise<RunnerMap> {
  const key = `${location.url}#${location.exportName}`;
  let found = catalogs.get(key);
  // The real modules are already here (locations.ts imports them): no import by URL, which a
  // single-file agent could not serve (its modules live inside the bundle, not at that URL).
  if (found === undefined && key === `${DEFAULT_RUNNERS.url}#${DEFAULT_RUNNERS.exportName}`) {
    found = Promise.resolve(moduleRunners);
    catalogs.set(key, found);
  }
  if (found === undefined) {
    found = import(location.url).then((mod: Record<string, unknown>) => {
      const map = mod[location.exportName];
      if (!(map instanceof Map)) throw new Error(`${location.url} exports no runner map named ${location.exportName}`);
      return map as RunnerMap;
    });
    catalogs.set(key, found);
  }
  return found;
}

function post(message: FromWorker): void {
  port?.postMessage(message);
}

type RunRequest = Extract<ToWorker, { kind: 'run' }>;

/** Progress messages at most per burst of counts (see count()). */
const MAX_BURST = 16;

class Job {
  readonly controller = new AbortController();
  private readonly stats: Record<string, number> = {};
  /** The first count is reported at once: a module stuck right after it still shows how far it got. */
  private lastProgress = 0;
  private burst = 0;
  private sent = 0;
  private acked = 0;
  private wakeCredit: (() => void) | undefined;

  constructor(readonly request: RunRequest) {}

  abort(): void {
    this.controller.abort(new Error('stopped by the agent'));
    this.wakeCredit?.();
  }

  ack(rows: number): void {
    this.acked = Math.max(this.acked, rows);
    this.wakeCredit?.();
  }

  async run(): Promise<void> {
    const { job } = this.request;
    let error: { code: string; message: string } | undefined;
    try {
      const run = (await runnersAt(this.request.location)).get(this.request.module);
      if (run === undefined)
        throw new Error(`no run function for module ${this.request.module} at ${this.request.location.url}`);
      for await (const row of run(this.request.params as never, this.context())) {
        if (this.controller.signal.aborted) break;
        this.sendRow(row);
        await this.credit();
        if (this.controller.signal.aborted) break;
      }
    } catch (err) {
      // After an abort, whatever the module throws is the abort itself.
      if (!this.controller.signal.aborted)
        error = {
          code: err instanceof BaseError && typeof err.code === 'string' ? err.code : 'MODULE_FAILED',
          message: err instanceof Error ? err.message : String(err),
        };
    }
    post({ kind: 'done', job, stats: { ...this.stats }, ...(error === undefined ? {} : { error }) });
  }

  private context(): ModuleContext {
    const { job, root, nowMs, hasJournal, settings } = this.request;
    const startedAt = Date.now();
    return {
      signal: this.controller.signal,
      root,
      // The parent's clock (maybe a test's fake one), running on from the start.
      now: () => new Date(nowMs + (Date.now() - startedAt)),
      log: (message) => post({ kind: 'log', job, message }),
      warn: (message) => post({ kind: 'warn', job, message }),
      count: (stat, delta = 1) => {
        this.stats[stat] = (this.stats[stat] ?? 0) + delta;
        // From inside the module's own calls, so a module that never yields still reports progress.
        const now = Date.now();
        if (now - this.lastProgress >= PROGRESS_MS) {
          this.lastProgress = now;
          this.burst = 0;
        } else if (now - this.lastProgress > 1 || this.burst >= MAX_BURST) return;
        // The counts right after a due one belong to the same flush (the file module counts one
        // stat per call): they are written too, or a module stuck just after would hide them.
        this.burst++;
        writeBoard(data.board, job, this.stats);
      },
      ...(hasJournal ? { journal: (entry: Record<string, unknown>) => post({ kind: 'journal', job, entry }) } : {}),
      ...(settings === undefined ? {} : { settings }),
    };
  }

  /** Only the declared keys travel (row-filter.ts would drop the rest); a row that cannot be copied is reported. */
  private sendRow(row: unknown): void {
    const { job, keys } = this.request;
    let payload: unknown = row;
    if (typeof row === 'object' && row !== null && !Array.isArray(row)) {
      const picked: Record<string, unknown> = {};
      for (const key of keys) if (Object.hasOwn(row, key)) picked[key] = (row as Record<string, unknown>)[key];
      payload = picked;
    }
    try {
      post({ kind: 'row', job, row: payload });
      this.sent++;
    } catch (err) {
      post({
        kind: 'warn',
        job,
        message: `row dropped, it cannot leave the module's thread: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }

  /** Waits while the parent has not taken ROW_WINDOW of the rows sent. */
  private async credit(): Promise<void> {
    while (this.sent - this.acked >= ROW_WINDOW && !this.controller.signal.aborted) {
      await new Promise<void>((resolve) => (this.wakeCredit = resolve));
      this.wakeCredit = undefined;
    }
  }
}

let current: Job | undefined;

port.on('message', (message: ToWorker) => {
  if (message.kind === 'run') {
    const job = new Job(message);
    current = job;
    void job.run().finally(() => {
      if (current === job) current = undefined;
    });
    return;
  }
  if (current?.request.job !== message.job) return; // about a job that already ended
  if (message.kind === 'abort') current.abort();
  else current.ack(message.rows);
});

await runnersAt(data.defaultRunners);
post({ kind: 'ready' });
