import type { WireError } from '../../protocol/errors.js';
import { isResponseModule } from '../../protocol/limits.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { silentLog } from '../log.js';
import {
  Collector,
  failure,
  settingsOf,
  writeJournal,
  type OperationOutcome,
  type OperationStatus,
  type RunOperationOptions,
} from '../run-operation.js';
import { ACK_EVERY, type RunnerLocation } from './messages.js';
import type { JobEnd, ModulePool } from './pool.js';
import type { ProgressSnapshot } from './progress-board.js';

/**
 * How long a stopped module may take to notice its aborted signal and wind down (closing its
 * files) before its thread is terminated. The answer does not wait for it.
 */
export const STOP_GRACE_MS = 250;
/**
 * Response modules change the host and journal each change: one stopped in the middle of a
 * change (a firewall rule being written) gets longer to finish it and record it. The answer
 * still goes out at once.
 */
export const RESPONSE_STOP_GRACE_MS = 5000;

type StopReason = 'timeout' | 'cancelled' | 'capped';

/**
 * Runs one operation's module in a pool worker, with the same guarantees and the same result as
 * runOperation on the agent's thread (rows filtered and capped here, by the same Collector), and
 * the limits a module on the agent's own thread could not be held to: the timeout holds even
 * when the module never yields (its thread is terminated), and the memory ceiling ends the
 * thread, not the agent (MODULE_MEMORY_LIMIT). CPU: one worker is one thread, so an operation
 * uses at most one core for at most its timeout; the pool size caps the agent's cores.
 */
export async function runInWorker(
  spec: AnyModuleSpec,
  location: RunnerLocation,
  params: unknown,
  opts: RunOperationOptions & { pool: ModulePool },
): Promise<OperationOutcome> {
  const started = Date.now();
  const out = new Collector(spec, opts);
  const timeoutMs = Math.min(spec.limits.timeoutMs, opts.timeoutMs);
  const log = opts.log ?? silentLog;
  let rowsTaken = 0;
  let stopReason: StopReason | undefined;
  let onStop: (reason: StopReason) => void = () => undefined;
  const stopped = new Promise<StopReason>((resolve) => (onStop = resolve));
  const now = opts.now ?? (() => new Date());
  const job = opts.pool.submit(
    {
      module: spec.name,
      location,
      params,
      root: opts.root,
      nowMs: now().getTime(),
      hasJournal: opts.journal !== undefined,
      ...settingsOf(spec, opts),
      keys: Object.keys(spec.result.shape),
    },
    {
      row: (raw) => {
        if (stopReason !== undefined) return;
        rowsTaken++;
        if (rowsTaken % ACK_EVERY === 0) job.ack(rowsTaken);
        if (!out.add(raw)) stop('capped');
      },
      warn: (message) => out.warn(message),
      log: (message) => log('debug', `${spec.name}: ${message}`),
      journal: (entry) => (opts.journal === undefined ? undefined : writeJournal(opts.journal, spec, entry, out)),
    },
  );
  const stop = (reason: StopReason): void => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    job.abort(isResponseModule(spec.name) ? RESPONSE_STOP_GRACE_MS : STOP_GRACE_MS);
    onStop(reason);
  };
  let timer: NodeJS.Timeout | undefined;
  // The module's time starts when a worker takes it, not while it waits for one.
  void job.started.then(() => {
    if (stopReason === undefined) timer = setTimeout(() => stop('timeout'), timeoutMs);
  });
  const onCancel = (): void => stop('cancelled');
  if (opts.signal?.aborted === true) stop('cancelled');
  else opts.signal?.addEventListener('abort', onCancel, { once: true });
  try {
    const end = await Promise.race([job.ended, stopped]);
    // A cap is a normal end: the module gets its grace to report its final statistics.
    const last = end === 'capped' ? await job.ended : undefined;
    // Read only for a module that was stopped or died: one that finished reports its own stats.
    const progress = (): Progress => new Progress(job.progress());
    const outcome =
      last?.kind === 'done'
        ? { status: 'success' as const, stats: last.stats }
        : finish(spec, end, progress, timeoutMs, opts.pool.memoryMb);
    mergeStats(out.stats, outcome.stats);
    out.stats.elapsedMs = Date.now() - started;
    return { status: outcome.status, result: out.result(outcome.error) };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onCancel);
  }
}

function finish(
  spec: AnyModuleSpec,
  end: JobEnd | StopReason,
  progressNow: () => Progress,
  timeoutMs: number,
  memoryMb: number,
): { status: OperationStatus; error?: WireError; stats: Record<string, number> } {
  if (typeof end === 'object' && end.kind === 'done')
    return end.error === undefined
      ? { status: 'success', stats: end.stats }
      : { status: 'failed', stats: end.stats, error: failure(spec, end.error.code, end.error.message) };
  const progress = progressNow();
  if (end === 'timeout') {
    return {
      status: 'timeout',
      stats: progress.stats,
      error: {
        code: 'MODULE_TIMEOUT',
        message: `module ${spec.name} did not finish within ${timeoutMs} ms; ${progress.describe()}`,
      },
    };
  }
  if (end === 'cancelled')
    return {
      status: 'cancelled',
      stats: progress.stats,
      error: { code: 'MODULE_CANCELLED', message: `module ${spec.name} was cancelled; ${progress.describe()}` },
    };
  if (end === 'capped') return { status: 'success', stats: progress.stats };
  if (end.kind === 'memory') {
    const message = `module ${spec.name} went over the memory ceiling of ${memoryMb} MB (agent config moduleMemoryMb) and was stopped; ${progress.describe()}`;
    return { status: 'failed', stats: progress.stats, error: { code: 'MODULE_MEMORY_LIMIT', message } };
  }
  return {
    status: 'failed',
    stats: progress.stats,
    error: failure(spec, end.code ?? 'MODULE_FAILED', `its worker thread ended: ${end.why}`),
  };
}

/** The module's own statistics add to what the runner counted (rowsRejected). */
function mergeStats(into: Record<string, number>, from: Record<string, number>): void {
  for (const [stat, value] of Object.entries(from)) into[stat] = (into[stat] ?? 0) + value;
}

/** The last statistics the worker reported: how far a stopped module got. */
class Progress {
  readonly stats: Record<string, number>;
  private readonly at: number | undefined;

  constructor(snapshot: ProgressSnapshot | undefined) {
    this.stats = snapshot?.stats ?? {};
    this.at = snapshot?.at;
  }

  describe(): string {
    if (this.at === undefined) return 'it reported no progress before it was stopped';
    const shown = Object.entries(this.stats)
      .map(([stat, value]) => `${stat} ${value}`)
      .join(', ');
    return `it got as far as ${shown} (reported ${Date.now() - this.at} ms before it was stopped)`;
  }
}
