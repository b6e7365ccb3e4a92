import type { Operation } from '../protocol/action.js';
import type { WireError } from '../protocol/errors.js';
import type { OperationResult } from '../protocol/messages.js';
import type { AnyModuleSpec, ModuleRun } from '../protocol/module-spec.js';
import { loadModuleSpecs } from '../modules/spec-loaders.js';
import { moduleRunners } from '../modules/runners.js';
import {
  runOperation,
  type OperationOutcome,
  type OperationStatus,
  type RunOperationOptions,
} from './run-operation.js';
import type { LogFn } from './log.js';
import { locationOf } from './worker/locations.js';
import type { ModulePool } from './worker/pool.js';
import { runInWorker } from './worker/remote-run.js';
import { validateOperations, type AcceptedOperation } from './verify/validate-params.js';

export {
  runOperation,
  type OperationOutcome,
  type OperationStatus,
  type RunOperationOptions,
} from './run-operation.js';

export type RunnerMap = ReadonlyMap<string, ModuleRun<never, unknown>>;
export type SpecMap = ReadonlyMap<string, AnyModuleSpec>;

/**
 * A command's options are its operations' (root, privacy, cap, signal, clock, log, journal,
 * agent, settings: see RunOperationOptions), with rows numbered by operation and a result
 * reported as each operation finishes.
 */
export interface RunCommandOptions extends Omit<RunOperationOptions, 'onRow'> {
  /** Default: modules/runners.ts. */
  runners?: RunnerMap;
  onRow?: (operationIndex: number, row: Record<string, unknown>) => void;
  /** Each operation's result as soon as it finishes. */
  onResult?: (result: OperationResult, operationIndex: number) => void;
  /**
   * Module worker threads (agent/worker/): modules run there, off this event loop, under the
   * pool's memory ceiling and a timeout that holds even for a module that never yields. Absent
   * (the CLI's `-t local`, unit tests), modules run on this thread as before.
   */
  pool?: ModulePool;
}

export interface CommandOutcome {
  status: OperationStatus;
  /** The first operation error, as the command's error. */
  error?: WireError;
  operations: OperationResult[];
}

/** Cancelled beats timeout beats failed beats success: the command reports its worst operation. */
const SEVERITY: readonly OperationStatus[] = ['success', 'failed', 'timeout', 'cancelled'];

/**
 * Runs a command's accepted operations one after the other (each under its own timeout). A
 * cancel stops the remaining ones; a timeout or failure of one does not stop the next, since
 * operations are independent questions.
 */
export async function runCommand(
  operations: readonly AcceptedOperation[],
  opts: RunCommandOptions,
): Promise<CommandOutcome> {
  const runners = opts.runners ?? moduleRunners;
  const outcomes: OperationOutcome[] = [];
  for (const [index, op] of operations.entries()) {
    if (opts.signal?.aborted === true) break;
    const run = runners.get(op.module);
    if (run === undefined) {
      // registry.ts and runners.ts disagree: our bug, reported rather than thrown away.
      outcomes.push(missingRunner(op.module));
      continue;
    }
    const onRow = opts.onRow === undefined ? undefined : (row: Record<string, unknown>) => opts.onRow?.(index, row);
    const outcome = await runOne(op, run, { ...opts, onRow });
    outcomes.push(outcome);
    opts.onResult?.(outcome.result, index);
  }
  let status = outcomes.reduce<OperationStatus>(
    (worst, o) => (SEVERITY.indexOf(o.status) > SEVERITY.indexOf(worst) ? o.status : worst),
    'success',
  );
  if (opts.signal?.aborted === true) status = 'cancelled';
  const error = outcomes.find((o) => o.result.error !== undefined)?.result.error;
  const outcome: CommandOutcome = { status, operations: outcomes.map((o) => o.result) };
  if (error !== undefined) outcome.error = error;
  else if (status === 'cancelled')
    outcome.error = { code: 'MODULE_CANCELLED', message: 'the command was cancelled before it finished' };
  return outcome;
}

/**
 * On a worker when there is a pool, unless the spec must run on the agent's thread
 * (runsOnAgentThread) or the run function was handed over without saying where a worker finds
 * it (an injected runner map nobody located: see worker/locations.ts).
 */
function runOne(
  op: AcceptedOperation,
  run: ModuleRun<never, unknown>,
  opts: Omit<RunCommandOptions, 'onRow'> & RunOperationOptions,
): Promise<OperationOutcome> {
  const location =
    opts.pool === undefined || op.spec.runsOnAgentThread === true ? undefined : locationOf(op.module, run);
  if (opts.pool === undefined || location === undefined) {
    if (opts.pool !== undefined && op.spec.runsOnAgentThread !== true)
      opts.log?.('debug', `module ${op.module} runs on the agent's thread: its runner has no worker location`);
    return runOperation(op.spec, run, op.params, opts);
  }
  return runInWorker(op.spec, location, op.params, { ...opts, pool: opts.pool });
}

function missingRunner(module: string): OperationOutcome {
  const error = { code: 'MODULE_FAILED', message: `module ${module} has a spec but no run function in this agent` };
  return { status: 'failed', result: { module, isFound: false, rows: [], stats: {}, errors: [], error } };
}

export interface LocalRunOptions {
  /** Filesystem root to investigate; '/' for this machine. */
  root: string;
  isPrivacyMode?: boolean;
  /** Default: 5 minutes per operation (the module's own limit wins when lower). */
  timeoutMs?: number;
  signal?: AbortSignal;
  log?: LogFn;
  /** Each row as soon as it is collected, with the index of its operation. */
  onRow?: (operationIndex: number, row: Record<string, unknown>) => void;
  /** Each operation's result as soon as it finishes. */
  onResult?: (result: OperationResult, operationIndex: number) => void;
  /** Default: the specs of the operations' modules, loaded now (modules/spec-loaders.ts), not all of them. */
  specs?: SpecMap;
  runners?: RunnerMap;
  platform?: NodeJS.Platform;
}

/**
 * The CLI's `-t local` mode: the investigator runs modules on their own machine as themselves,
 * so there is nothing to verify, but parameters, platform, privacy filter and caps still apply.
 * Throws INVALID_PARAMETERS / UNKNOWN_MODULE / PLATFORM_UNSUPPORTED before running anything.
 */
export async function runOperationsLocally(
  operations: readonly Operation[],
  opts: LocalRunOptions,
): Promise<OperationResult[]> {
  const specs = opts.specs ?? (await loadModuleSpecs(operations.map((op) => op.module)));
  const accepted = validateOperations(operations, specs, opts.platform ?? process.platform);
  const outcome = await runCommand(accepted, {
    root: opts.root,
    isPrivacyMode: opts.isPrivacyMode ?? false,
    timeoutMs: opts.timeoutMs ?? 300_000,
    signal: opts.signal,
    log: opts.log,
    onRow: opts.onRow,
    onResult: opts.onResult,
    runners: opts.runners,
  });
  return outcome.operations;
}
