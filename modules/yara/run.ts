import { availableParallelism } from 'node:os';
import type { z } from 'zod';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { Pacer } from '../shared/search/pacer.js';
import { splitNegation } from '../shared/search/param-values.js';
import { compileLineRegex } from '../shared/search/regex.js';
import { HostRoot, errorCode } from '../shared/search/resolve.js';
import { Walk, type FileTask } from '../shared/search/walk.js';
import { YaraEngine, type ScanOutcome } from './engine.js';
import type { YaraParams } from './params.js';
import type { yaraRow } from './spec.js';
import { Counters, walkEvents, walkPlan } from './walk-plan.js';

export type YaraRow = z.output<typeof yaraRow>;

export interface YaraRunOptions {
  /**
   * One file's scan. 32 MiB scans in well under a second with sane rules; a rule whose
   * condition loops over filesize squared does not finish at all, and is cut here.
   */
  scanTimeoutMs?: number;
  /** Starting the engine and compiling the rules (a 200 kB ruleset compiles in seconds). */
  startTimeoutMs?: number;
  /** Engines scanning files side by side, each in its own thread; default: one per core. */
  engines?: number;
}

const DEFAULT_SCAN_TIMEOUT_MS = 10_000;
const DEFAULT_START_TIMEOUT_MS = 60_000;

type NameTest = (name: string) => boolean;

function nameTest(source: string | undefined): NameTest {
  if (source === undefined) return () => true;
  const { pattern, isNegated } = splitNegation(source);
  const re = compileLineRegex(pattern);
  return (name) => re.test(name) !== isNegated;
}

/** Rows for one scanned file, or nothing (and the right counters and warnings) for the rest. */
function rowsOf(
  task: FileTask,
  outcome: ScanOutcome,
  params: YaraParams,
  counters: Counters,
  ctx: ModuleContext,
): YaraRow[] {
  switch (outcome.kind) {
    case 'scanned': {
      counters.values.filesScanned++;
      counters.values.bytesScanned += outcome.size;
      for (const problem of outcome.problems) ctx.warn(`${task.path}: ${problem}`);
      const mtime = new Date(outcome.mtimeMs).toISOString();
      const isNamespaced = params.rules.length > 1;
      return outcome.matches.map((m) => ({
        path: task.path,
        rule: m.rule,
        ...(isNamespaced ? { namespace: m.namespace } : {}),
        tags: m.tags,
        size: outcome.size,
        mtime,
      }));
    }
    case 'skipped':
      if (outcome.reason === 'too-large') {
        counters.values.filesTooLarge++;
        ctx.warn(`${task.path}: ${outcome.size} bytes, above maxfilesize (${params.maxfilesize} bytes); not scanned`);
      }
      return [];
    case 'failed':
      counters.values.errors++;
      ctx.warn(`${task.path}: ${outcome.what} (${outcome.code})`);
      return [];
    case 'timeout':
      counters.values.scanTimeouts++;
      ctx.warn(
        `${task.path}: scan stopped after the per-file time limit; the rules may loop over the file (e.g. for ... in (0..filesize))`,
      );
      return [];
    case 'aborted':
      return [];
  }
}

type EngineOptions = Parameters<typeof YaraEngine.start>[1];

/** `count` engines with the same rules, compiled side by side; all closed if one fails. */
async function startEngines(count: number, sources: readonly string[], options: EngineOptions): Promise<YaraEngine[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => YaraEngine.start(sources, options)));
  const engines = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed === undefined) return engines;
  await Promise.all(engines.map((e) => e.close()));
  throw failed.reason;
}

/** A file being scanned; the outcome never rejects (an engine failure is kept until its turn). */
interface InFlight {
  task: FileTask;
  engine: YaraEngine;
  outcome: Promise<{ ok: ScanOutcome } | { err: unknown }>;
}

/**
 * The yara module: compile the rules once per engine (one engine, a worker thread, per core),
 * walk the paths with the file module's walker, scan each file whose name passes on the next
 * free engine, and yield one row per (file, matching rule) in walk order, whatever order the
 * scans end in. YARA-X's wasm build spends ~4-5 ms in every scan whatever the file's size
 * (ENGINE.md), so files side by side are most of what can be won.
 */
export function makeRunYara(options: YaraRunOptions = {}): ModuleRun<YaraParams, YaraRow> {
  const scanTimeoutMs = options.scanTimeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS;
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const count = Math.max(1, options.engines ?? availableParallelism());
  return async function* runYara(params, ctx) {
    const plan = walkPlan(params);
    const isWanted = nameTest(params.name);
    const counters = new Counters(ctx);
    const pacer = new Pacer(ctx.signal, () => counters.flush());
    const walk = new Walk([plan], new HostRoot(ctx.root), walkEvents(ctx, counters));
    // Rules compile before the walk starts: a rule error reads nothing.
    const engines = await startEngines(count, params.rules, {
      signal: ctx.signal,
      log: ctx.log,
      scanTimeoutMs,
      startTimeoutMs,
    });
    const idle = [...engines];
    const inFlight: InFlight[] = [];
    /** The oldest scan's rows; false when the run must stop (aborted, matchlimit). */
    const settleOldest = async (): Promise<YaraRow[] | false> => {
      const head = inFlight.shift() as InFlight;
      const done = await head.outcome;
      idle.push(head.engine);
      if ('err' in done) throw done.err;
      // Stopped while this file was scanned alongside the one before: it is not reported.
      if (done.ok.kind === 'aborted' || ctx.signal.aborted) return false;
      const rows = rowsOf(head.task, done.ok, params, counters, ctx);
      if (rows.length > 0) counters.values.filesMatched++;
      return rows;
    };
    const isAtLimit = (): boolean => {
      if (++plan.matches < plan.matchlimit) return false;
      ctx.warn(`stopped at ${plan.matches} matching files (matchlimit)`);
      return true;
    };
    try {
      for (const warning of engines[0]?.warnings ?? []) ctx.warn(`rules: ${warning}`);
      for (const batch of walk.files()) {
        for (const task of batch) {
          if (ctx.signal.aborted) return;
          if (!isWanted(task.name)) continue;
          if (task.failure !== undefined) {
            counters.values.errors++;
            ctx.warn(`${task.path}: cannot follow symlink (${errorCode(task.failure)})`);
            continue;
          }
          if (idle.length === 0) {
            const rows = await settleOldest();
            if (rows === false) return;
            if (rows.length > 0) {
              yield* rows;
              if (isAtLimit()) return;
            }
          }
          const engine = idle.pop() as YaraEngine;
          const outcome = engine.scan(task.real, params.maxfilesize).then(
            (ok) => ({ ok }),
            (err: unknown) => ({ err }),
          );
          inFlight.push({ task, engine, outcome });
        }
        if (pacer.isDue ? !(await pacer.pause()) : pacer.isAborted) return;
      }
      while (inFlight.length > 0) {
        const rows = await settleOldest();
        if (rows === false) return;
        if (rows.length > 0) {
          yield* rows;
          if (isAtLimit()) return;
        }
      }
    } finally {
      counters.flush();
      await Promise.all(engines.map((e) => e.close()));
      // Scans cut short by the close end at once (session.ts); nothing is left running.
      await Promise.all(inFlight.map((f) => f.outcome));
    }
  };
}

export const runYara: ModuleRun<YaraParams, YaraRow> = makeRunYara();
