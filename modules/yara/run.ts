import { availableParallelism } from 'node:os';
import type { z } from 'zod';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { Pacer } from '../shared/search/pacer.js';
import { splitNegation } from '../shared/search/param-values.js';
import { walkOnlyPlan } from '../shared/search/plan.js';
import { compileLineRegex } from '../shared/search/regex.js';
import { HostRoot, errorCode } from '../shared/search/resolve.js';
import { Walk, type FileTask } from '../shared/search/walk.js';
import { Counters, WALK_COUNTERS, walkEvents } from '../shared/search/walk-report.js';
import { AtomSearch } from './atom-search.js';
import { checkRules, IN_THREAD_COMPILE_CHARS } from './compile-check.js';
import type { EngineMatch, ScanOutcome, YaraEngine } from './engine.js';
import { EnginePool } from './engine-pool.js';
import type { YaraParams } from './params.js';
import { prefilterAtoms } from './prefilter.js';
import { readWhole } from './read-file.js';
import type { yaraRow } from './spec.js';

export type YaraRow = z.output<typeof yaraRow>;

export interface YaraRunOptions {
  /**
   * One file's scan. 32 MiB scans in well under a second with sane rules; a rule whose
   * condition loops over filesize squared does not finish at all, and is cut here.
   */
  scanTimeoutMs?: number;
  /** Starting the engine and compiling the rules (a 200 kB ruleset compiles in seconds). */
  startTimeoutMs?: number;
  /** Engines scanning files side by side, each in its own thread; default: up to one per core. */
  engines?: number;
  /** false: every file goes to the engine, prefilter or not (tests compare the two). */
  isPrefiltered?: boolean;
}

const DEFAULT_SCAN_TIMEOUT_MS = 10_000;
const DEFAULT_START_TIMEOUT_MS = 60_000;
/** Files up to this size are read into one reused buffer (no allocation per small file). */
const SCRATCH_BYTES = 1024 * 1024;
const YARA_COUNTERS = [
  ...WALK_COUNTERS,
  'filesScanned',
  'bytesScanned',
  'filesMatched',
  'filesTooLarge',
  'scanTimeouts',
  /** Files the prefilter could not rule out, scanned by the engine. */
  'filesToEngine',
] as const;

type YaraCounters = Counters<(typeof YARA_COUNTERS)[number]>;

/** What became of one file: read and judged (by the prefilter or the engine), or why not. */
type FileOutcome =
  | { kind: 'scanned'; size: number; mtimeMs: number; matches: readonly EngineMatch[]; problems: readonly string[] }
  | { kind: 'skipped'; reason: 'not-regular' | 'too-large'; size: number }
  | { kind: 'failed'; what: string; code: string }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

/** A file in walk order; its outcome never rejects (an engine failure is kept until its turn). */
interface Pending {
  task: FileTask;
  engine: YaraEngine | undefined;
  outcome: Promise<{ ok: FileOutcome } | { err: unknown }>;
  /** Known without the engine: settles at once. */
  isReady: boolean;
}

function nameTest(source: string | undefined): (name: string) => boolean {
  if (source === undefined) return () => true;
  const { pattern, isNegated } = splitNegation(source);
  const re = compileLineRegex(pattern);
  return (name) => re.test(name) !== isNegated;
}

/** Rows for one judged file, or nothing (and the right counters and warnings) for the rest. */
function rowsOf(
  task: FileTask,
  outcome: FileOutcome,
  params: YaraParams,
  counters: YaraCounters,
  ctx: ModuleContext,
): YaraRow[] {
  switch (outcome.kind) {
    case 'scanned': {
      counters.values.filesScanned++;
      counters.values.bytesScanned += outcome.size;
      for (const problem of outcome.problems) ctx.warn(`${task.path}: ${problem}`);
      if (outcome.matches.length === 0) return [];
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

function withFile(outcome: ScanOutcome, size: number, mtimeMs: number): FileOutcome {
  return outcome.kind === 'scanned' ? { ...outcome, size, mtimeMs } : outcome;
}

/**
 * The yara module: compile the rules, walk the paths with the file module's walker, read each
 * file whose name passes once, and yield one row per (file, matching rule) in walk order. A file
 * holding none of the rules' atoms (prefilter.ts) cannot match and is settled here; the others
 * go to the next free engine (YARA-X in a worker thread, ~5 ms per scan whatever the size,
 * ENGINE.md), up to one engine per core, started as they are needed.
 */
export function makeRunYara(options: YaraRunOptions = {}): ModuleRun<YaraParams, YaraRow> {
  const scanTimeoutMs = options.scanTimeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS;
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const maxEngines = Math.max(1, options.engines ?? availableParallelism());
  return async function* runYara(params, ctx) {
    const plan = walkOnlyPlan('yara', params.paths, params);
    const isWanted = nameTest(params.name);
    const counters = new Counters(ctx, YARA_COUNTERS);
    const pacer = new Pacer(ctx.signal, () => counters.flush());
    const walk = new Walk([plan], new HostRoot(ctx.root), walkEvents(ctx, counters));
    // Rules compile before the walk starts: a rule error reads nothing.
    const engineOptions = { signal: ctx.signal, log: ctx.log, scanTimeoutMs, startTimeoutMs };
    const pool =
      params.rules.reduce((n, source) => n + source.length, 0) <= IN_THREAD_COMPILE_CHARS
        ? EnginePool.later(maxEngines, params.rules, engineOptions, await checkRules(params.rules, ctx.signal))
        : await EnginePool.start(maxEngines, params.rules, engineOptions);
    const atoms = options.isPrefiltered === false ? undefined : prefilterAtoms(params.rules);
    const search = atoms === undefined ? undefined : new AtomSearch(atoms);
    ctx.log(
      atoms === undefined
        ? 'no prefilter: a rule may match without any of its strings (or is not understood); every file goes to the engine'
        : `prefilter: ${atoms.length} atoms; only files holding one go to the engine`,
    );
    const scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
    const queue: Pending[] = [];
    const ready = (task: FileTask, ok: FileOutcome): Pending => ({
      task,
      engine: undefined,
      outcome: Promise.resolve({ ok }),
      isReady: true,
    });
    /** The oldest file's rows, yielded; false when the run must stop (aborted, matchlimit). */
    async function* emitOldest(): AsyncGenerator<YaraRow, boolean> {
      const head = queue.shift() as Pending;
      const done = await head.outcome;
      if (head.engine !== undefined) pool.give(head.engine);
      if ('err' in done) throw done.err;
      // Stopped while this file was scanned alongside the one before: it is not reported.
      if (done.ok.kind === 'aborted' || ctx.signal.aborted) return false;
      const rows = rowsOf(head.task, done.ok, params, counters, ctx);
      if (rows.length === 0) return true;
      counters.values.filesMatched++;
      yield* rows;
      if (++plan.matches < plan.matchlimit) return true;
      ctx.warn(`stopped at ${plan.matches} matching files (matchlimit)`);
      return false;
    }
    try {
      for (const warning of pool.warnings) ctx.warn(`rules: ${warning}`);
      for (const batch of walk.files()) {
        for (const task of batch) {
          if (ctx.signal.aborted) return;
          if (!isWanted(task.name)) continue;
          if (task.failure !== undefined) {
            counters.values.errors++;
            ctx.warn(`${task.path}: cannot follow symlink (${errorCode(task.failure)})`);
            continue;
          }
          const read = readWhole(task.real, params.maxfilesize, scratch);
          if (read.kind !== 'read') queue.push(ready(task, read));
          else if (search !== undefined && !search.isIn(read.bytes))
            queue.push(
              ready(task, {
                kind: 'scanned',
                size: read.bytes.length,
                mtimeMs: read.mtimeMs,
                matches: [],
                problems: [],
              }),
            );
          else {
            // The engine gets a buffer of its own (transferred): the scratch buffer is read into again.
            const bytes = read.bytes.buffer === scratch.buffer ? new Uint8Array(read.bytes) : read.bytes;
            while (!pool.hasIdle) {
              if (pool.canGrow) await pool.grow();
              else if (!(yield* emitOldest())) return;
            }
            const engine = pool.take();
            counters.values.filesToEngine++;
            // Taken before the scan: the transfer leaves `bytes` empty here.
            const { mtimeMs } = read;
            const size = bytes.length;
            const outcome = engine.scan(bytes).then(
              (ok) => ({ ok: withFile(ok, size, mtimeMs) }),
              (err: unknown) => ({ err }),
            );
            queue.push({ task, engine, outcome, isReady: false });
          }
          while (queue[0]?.isReady === true) if (!(yield* emitOldest())) return;
        }
        if (pacer.isDue ? !(await pacer.pause()) : pacer.isAborted) return;
      }
      while (queue.length > 0) if (!(yield* emitOldest())) return;
    } finally {
      counters.flush();
      await pool.close();
      // Scans cut short by the close end at once (session.ts); nothing is left running.
      await Promise.all(queue.map((f) => f.outcome));
    }
  };
}

export const runYara: ModuleRun<YaraParams, YaraRow> = makeRunYara();
