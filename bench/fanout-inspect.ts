// Optional looks inside the bench's server process at two moments, for doc/performance.md:
// `MIG_BENCH_FANOUT_INSPECT=/tmp/dir` writes
//   - idle-<size>.cpuprofile: a CPU profile of the idle-CPU row's window only (heartbeats and
//     nothing else), and rounds-<kind>-<size>.cpuprofile of the measured fan-out rounds (the
//     warm-up left out), summarised by bench/fanout-profile.ts;
//   - connected-<size>.json: heap statistics once the whole fleet is online (what RSS is made of);
//   - connected-<size>.heapsnapshot with MIG_BENCH_FANOUT_HEAPSNAPSHOT=1 (slow, and takes
//     about the heap's size again in memory), summarised by bench/heap-summary.ts.
// Off by default: the profiler itself costs CPU, and the rows must measure the server alone.
// Under `node --expose-gc` the memory figures are also taken after a full collection.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const DIR = process.env.MIG_BENCH_FANOUT_INSPECT;

/** Starts a CPU profile when asked to; the returned function stops it and writes the file. */
export async function profileWindow(name: string): Promise<() => Promise<void>> {
  if (DIR === undefined || DIR === '') return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

/** Heap figures (and a snapshot when asked) at one moment. */
export function recordMemory(name: string): void {
  if (DIR === undefined || DIR === '') return;
  const mb = (n: number): number => Math.round(n / 1e5) / 10;
  const usage = process.memoryUsage();
  const spaces = getHeapSpaceStatistics().map((s) => ({
    space: s.space_name,
    usedMB: mb(s.space_used_size),
    sizeMB: mb(s.space_size),
  }));
  const figures: Record<string, unknown> = {
    rssMB: mb(usage.rss),
    heapUsedMB: mb(usage.heapUsed),
    heapTotalMB: mb(usage.heapTotal),
    externalMB: mb(usage.external),
    arrayBuffersMB: mb(usage.arrayBuffers),
    spaces,
  };
  // Under `node --expose-gc`: the same after a full collection, to tell live data from garbage
  // and free heap pages not yet given back (the figures above are what the row measures).
  const { gc } = globalThis as { gc?: () => void };
  if (typeof gc === 'function') {
    gc();
    const after = process.memoryUsage();
    figures.afterFullGc = { rssMB: mb(after.rss), heapUsedMB: mb(after.heapUsed), heapTotalMB: mb(after.heapTotal) };
  }
  writeFileSync(join(DIR, `${name}.json`), JSON.stringify(figures, null, 2));
  if (process.env.MIG_BENCH_FANOUT_HEAPSNAPSHOT === '1') writeHeapSnapshot(join(DIR, `${name}.heapsnapshot`));
}
