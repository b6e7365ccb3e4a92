import { BaseError, type WireError } from '../protocol/errors.js';
import type { OperationResult } from '../protocol/messages.js';
import type { AgentSelf, AnyModuleSpec, ModuleContext, ModuleRun } from '../protocol/module-spec.js';
import { silentLog, type LogFn } from './log.js';
import { makeRowFilter, rowBytes } from './row-filter.js';

/** Non-fatal messages kept per operation; the rest are counted in one closing line. */
export const MAX_WARNINGS = 100;
/** OperationResultSchema caps each error line at 2048 characters. */
const MAX_WARNING_CHARS = 2000;

export type OperationStatus = 'success' | 'failed' | 'timeout' | 'cancelled';

export interface OperationOutcome {
  status: OperationStatus;
  result: OperationResult;
}

export interface RunOperationOptions {
  /** Filesystem/proc root handed to the module. */
  root: string;
  isPrivacyMode: boolean;
  /** The agent's cap; the module's own limits.timeoutMs wins when lower. */
  timeoutMs: number;
  /** Aborting it cancels the operation (a cancel message, agent shutdown). */
  signal?: AbortSignal;
  now?: () => Date;
  log?: LogFn;
  /** Each row as it passes the filter (the CLI's local mode streams them). */
  onRow?: (row: Record<string, unknown>) => void;
  /** The response journal of this command; entries get the module's name added. */
  journal?: (entry: Record<string, unknown>) => void;
  /** Handed to the module as ctx.agent. */
  agent?: AgentSelf;
  /** The agent config's moduleSettings: each module gets its own entry as ctx.settings. */
  settings?: Readonly<Record<string, unknown>>;
}

/**
 * Runs one module operation under the runner's guarantees: every row filtered through the
 * spec (row-filter.ts), row and byte caps, a timeout, cancellation. A module that ignores its
 * abort signal is abandoned, not awaited: the answer goes out anyway.
 */
export async function runOperation(
  spec: AnyModuleSpec,
  run: ModuleRun<never, unknown>,
  params: unknown,
  opts: RunOperationOptions,
): Promise<OperationOutcome> {
  const started = Date.now();
  const out = new Collector(spec, opts);
  const stop = new Stopper(Math.min(spec.limits.timeoutMs, opts.timeoutMs), opts.signal);
  const ctx = moduleContext(spec, opts, stop.signal, out);
  let error: WireError | undefined;
  let iterator: AsyncIterator<unknown> | undefined;
  let isDone = false;
  try {
    iterator = run(params as never, ctx)[Symbol.asyncIterator]();
    while (!isDone) {
      const next = iterator.next();
      next.catch(() => undefined); // if we stop waiting, a late rejection must not go unhandled
      const step = await Promise.race([next, stop.stopped]);
      if (step === 'stopped' || step.done === true) isDone = true;
      else if (!out.add(step.value)) isDone = true;
    }
  } catch (err) {
    if (stop.reason === undefined) error = moduleFailure(spec, err);
  } finally {
    stop.dispose();
    // Closes the generator (runs its finally blocks); not awaited, it may be stuck.
    iterator?.return?.().catch(() => undefined);
  }
  out.stats.elapsedMs = Date.now() - started;
  if (stop.reason === 'timeout')
    error = { code: 'MODULE_TIMEOUT', message: `module ${spec.name} did not finish within ${stop.timeoutMs} ms` };
  if (stop.reason === 'cancelled') error = { code: 'MODULE_CANCELLED', message: `module ${spec.name} was cancelled` };
  const status: OperationStatus = stop.reason ?? (error === undefined ? 'success' : 'failed');
  return { status, result: out.result(error) };
}

function moduleContext(
  spec: AnyModuleSpec,
  opts: RunOperationOptions,
  signal: AbortSignal,
  out: Collector,
): ModuleContext {
  const log = opts.log ?? silentLog;
  const journal = opts.journal;
  return {
    signal,
    root: opts.root,
    now: opts.now ?? (() => new Date()),
    log: (message) => log('debug', `${spec.name}: ${message}`),
    warn: (message) => out.warn(message),
    count: (stat, delta = 1) => {
      out.stats[stat] = (out.stats[stat] ?? 0) + delta;
    },
    ...(journal === undefined
      ? {}
      : { journal: (entry: Record<string, unknown>) => writeJournal(journal, spec, entry, out) }),
    ...(opts.agent === undefined ? {} : { agent: opts.agent }),
    ...settingsOf(spec, opts),
  };
}

/** The module's own entry of the agent's moduleSettings, as ctx.settings (none: the key is absent). */
export function settingsOf(spec: AnyModuleSpec, opts: RunOperationOptions): { settings?: unknown } {
  const settings = opts.settings?.[spec.name];
  return settings === undefined ? {} : { settings };
}

/** A journal that cannot be written (disk full) is reported, not fatal: the change it records already happened. */
export function writeJournal(
  journal: (entry: Record<string, unknown>) => void,
  spec: AnyModuleSpec,
  entry: Record<string, unknown>,
  out: Collector,
): void {
  try {
    journal({ ...entry, module: spec.name });
  } catch (err) {
    out.warn(`response journal: entry not written (${err instanceof Error ? err.message : String(err)})`);
  }
}

function moduleFailure(spec: AnyModuleSpec, err: unknown): WireError {
  const code = err instanceof BaseError && typeof err.code === 'string' ? err.code : 'MODULE_FAILED';
  return failure(spec, code, err instanceof Error ? err.message : String(err));
}

/** A module's failure as the operation's error, whichever thread it ran on. */
export function failure(spec: AnyModuleSpec, code: string, message: string): WireError {
  return { code, message: `module ${spec.name} failed: ${message}`.slice(0, MAX_WARNING_CHARS) };
}

/** Why the module was stopped: the timeout or the caller's signal. */
class Stopper {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  reason: 'timeout' | 'cancelled' | undefined;
  readonly stopped: Promise<'stopped'>;

  constructor(
    readonly timeoutMs: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    this.stopped = new Promise((resolve) =>
      this.controller.signal.addEventListener('abort', () => resolve('stopped'), { once: true }),
    );
    this.timer = setTimeout(() => this.stop('timeout'), timeoutMs);
    if (outer?.aborted === true) this.stop('cancelled');
    else outer?.addEventListener('abort', this.onCancel, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private readonly onCancel = (): void => this.stop('cancelled');

  private stop(reason: 'timeout' | 'cancelled'): void {
    this.reason ??= reason;
    this.controller.abort(new Error(reason));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onCancel);
  }
}

/** Accumulates filtered rows, warnings and stats within the spec's caps. */
export class Collector {
  readonly rows: Record<string, unknown>[] = [];
  readonly stats: Record<string, number> = {};
  private readonly errors: string[] = [];
  private suppressed = 0;
  private bytes = 0;
  private readonly filter: ReturnType<typeof makeRowFilter>;

  constructor(
    private readonly spec: AnyModuleSpec,
    private readonly opts: RunOperationOptions,
  ) {
    this.filter = makeRowFilter(spec, opts.isPrivacyMode);
  }

  /** False once a cap is reached: the module is stopped, and the truncation reported. */
  add(raw: unknown): boolean {
    const filtered = this.filter(raw);
    if (!filtered.ok) {
      this.stats.rowsRejected = (this.stats.rowsRejected ?? 0) + 1;
      this.warn(`row dropped, it does not match the ${this.spec.name} result schema: ${filtered.problem}`);
      return true;
    }
    const { maxRows, maxBytes } = this.spec.privacy;
    if (this.rows.length >= maxRows) {
      this.warn(`truncated: more than ${maxRows} rows (the module's maxRows); the rest were not collected`);
      return false;
    }
    const size = rowBytes(filtered.row);
    if (this.bytes + size > maxBytes) {
      this.warn(`truncated: rows exceed ${maxBytes} bytes (the module's maxBytes) after ${this.rows.length} rows`);
      return false;
    }
    this.bytes += size;
    this.rows.push(filtered.row);
    this.opts.onRow?.(filtered.row);
    return true;
  }

  warn(message: string): void {
    if (this.errors.length < MAX_WARNINGS) this.errors.push(message.slice(0, MAX_WARNING_CHARS));
    else this.suppressed += 1;
  }

  result(error: WireError | undefined): OperationResult {
    const errors =
      this.suppressed > 0 ? [...this.errors, `${this.suppressed} more problem(s) not shown`] : [...this.errors];
    const isFound = this.spec.isFound?.(this.rows) ?? this.rows.length > 0;
    const result: OperationResult = { module: this.spec.name, isFound, rows: this.rows, stats: this.stats, errors };
    if (error !== undefined) result.error = error;
    return result;
  }
}
