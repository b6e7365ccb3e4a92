import { join } from 'node:path';
import type { z } from 'zod';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { codeOf, Failures, isGone } from './failures.js';
import { parseMaps, regionsFrom, type ProcessMaps } from './maps.js';
import { MemoryMatcher } from './matcher.js';
import type { MemoryParams } from './params.js';
import { planMemory, readsMemory, type MemoryPlan, type RegexCheck } from './plan.js';
import { listPids, nameCandidates, type ProcessNames } from '../shared/proc.js';
import { readMapsText, readNames } from './proc.js';
import { CHUNK_BYTES, scanBuffer, scanMemory, type ScanState } from './read-mem.js';
import type { memoryRow } from './spec.js';

export type MemoryRow = z.output<typeof memoryRow>;

interface RunEnv {
  ctx: ModuleContext;
  plan: MemoryPlan;
  failures: Failures;
  buffer: Buffer;
}

function outcomes(checks: readonly RegexCheck[], subjects: readonly string[]): boolean[] {
  return checks.map((check) => subjects.some((subject) => check.re.test(subject)));
}

/** False when matchall already failed: nothing more needs reading. */
function canStillMatch(plan: MemoryPlan, results: readonly boolean[]): boolean {
  return plan.mode === 'any' || results.every(Boolean);
}

async function readMaps(pid: number, pidDir: string, env: RunEnv): Promise<ProcessMaps | undefined> {
  try {
    const maps = parseMaps(await readMapsText(pidDir));
    if (maps.badLines > 0) env.ctx.log(`pid ${pid}: ${maps.badLines} maps line(s) not understood, skipped`);
    return maps;
  } catch (err) {
    if (isGone(err)) env.ctx.count('processesGone');
    else env.failures.process(pid, 'maps', codeOf(err));
    return undefined;
  }
}

/** Scans the memory; returns the bytes read. */
async function scan(
  pid: number,
  pidDir: string,
  maps: ProcessMaps,
  matcher: MemoryMatcher,
  env: RunEnv,
): Promise<number> {
  const { ctx, plan } = env;
  const regions = regionsFrom(maps.regions, plan.offset);
  // Kernel threads have no memory of their own (opening their mem fails with ESRCH).
  if (regions.length === 0) return 0;
  const state: ScanState = {
    buffer: env.buffer,
    chunkBytes: CHUNK_BYTES,
    signal: ctx.signal,
    remaining: plan.maxBytes,
    bytesScanned: 0,
    regionsScanned: 0,
    onRegionFailure: (region, at, code) => env.failures.region(pid, region.start, region.end, at, code),
  };
  try {
    await scanMemory(join(pidDir, 'mem'), regions, matcher, state);
  } catch (err) {
    if (isGone(err)) ctx.count('processesGone');
    else env.failures.process(pid, 'mem', codeOf(err));
  }
  if (state.remaining <= 0) ctx.count('processesCapped');
  ctx.count('regionsScanned', state.regionsScanned);
  ctx.count('bytesScanned', state.bytesScanned);
  return state.bytesScanned;
}

/** One process against the checks, cheapest first (names, then maps, then memory). */
async function evaluate(pid: number, env: RunEnv): Promise<MemoryRow | undefined> {
  const { ctx, plan } = env;
  const pidDir = join(ctx.root, 'proc', String(pid));
  ctx.count('processesChecked');
  let names: ProcessNames;
  try {
    names = await readNames(pidDir);
  } catch (err) {
    if (isGone(err)) ctx.count('processesGone');
    else env.failures.process(pid, 'comm', codeOf(err));
    return undefined;
  }
  const nameResults = outcomes(plan.names, nameCandidates(names));
  if (!canStillMatch(plan, nameResults)) return undefined;
  const needsMaps = plan.libraries.length > 0 || readsMemory(plan);
  const maps = needsMaps ? await readMaps(pid, pidDir, env) : undefined;
  const libResults = outcomes(plan.libraries, maps?.files ?? []);
  if (!canStillMatch(plan, libResults)) return undefined;
  const matcher = new MemoryMatcher(plan.contents, plan.bytes);
  const bytesScanned = matcher.hasChecks && maps !== undefined ? await scan(pid, pidDir, maps, matcher, env) : 0;
  const matched = [
    ...plan.names.filter((_, i) => nameResults[i]).map((c) => c.label),
    ...plan.libraries.filter((_, i) => libResults[i]).map((c) => c.label),
    ...matcher.matchedLabels(),
  ];
  const isMatch = plan.mode === 'all' ? matched.length === plan.checkCount : matched.length > 0;
  return isMatch ? { pid, name: names.comm, matched, bytesScanned } : undefined;
}

/**
 * The memory module: every process under `<root>/proc` (or the listed pids), one at a time,
 * yielding one row per matching process. The agent's own process is never scanned: it holds
 * the search patterns in its memory, so it would always match (MIG's agent had the same trap).
 */
export const runMemory: ModuleRun<MemoryParams, MemoryRow> = async function* runMemory(params, ctx) {
  const plan = planMemory(params);
  const failures = new Failures(ctx, plan.isLogFailures);
  const env: RunEnv = { ctx, plan, failures, buffer: scanBuffer(new MemoryMatcher(plan.contents, plan.bytes)) };
  try {
    for (const pid of await listPids(join(ctx.root, 'proc'))) {
      if (ctx.signal.aborted) return;
      if (plan.pids !== undefined && !plan.pids.has(pid)) continue;
      if (pid === process.pid) {
        ctx.warn(`pid ${pid} skipped: it is this agent, which holds the search patterns in its own memory`);
        continue;
      }
      const row = await evaluate(pid, env);
      if (ctx.signal.aborted) return;
      if (row === undefined) continue;
      ctx.count('processesMatched');
      yield row;
    }
  } finally {
    failures.summarize();
  }
};
