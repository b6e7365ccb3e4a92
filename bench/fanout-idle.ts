// The fan-out benchmark's idle rows: the server's CPU while the whole fleet only heartbeats,
// then its RSS at the end of that window (the fleet still connected). Besides the total, the
// row says where the window's CPU went by kind (user and system time, the collector's pauses,
// the event loop's busy share, context switches): on a shared 2-core machine the total moves
// with the load, the split says whether a change moved packets, JavaScript or the collector.
import { loadavg } from 'node:os';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { DEFAULT_HEARTBEAT_MS } from '../agent/config.js';
import { idleCpuRow, rssAfterIdleRow, type IdleSlice, type IdleWindow } from './fanout-rows.js';
import { profileWindow, recordMemory } from './fanout-inspect.js';
import type { Fleet } from './fanout-setup.js';
import { SIM_KEEPALIVE_S } from './fanout-sim-agent.js';
import type { BenchRow } from './types.js';

/**
 * The agents' default heartbeat interval (agent/config.ts); the idle row measures one whole
 * interval. For profiling a smaller fleet at the same heartbeat rate,
 * `MIG_BENCH_FANOUT_IDLE_BEAT_MS=6000` with `MIG_BENCH_FANOUT_IDLE=1` adds the row to every
 * simulated fleet at that interval (the row's note says which). `0`: no heartbeats at all
 * during the window, to measure what connected sessions cost by themselves.
 */
export const IDLE_HEARTBEAT_MS = Number(process.env.MIG_BENCH_FANOUT_IDLE_BEAT_MS ?? DEFAULT_HEARTBEAT_MS);
export const IDLE_ROW_FORCED = process.env.MIG_BENCH_FANOUT_IDLE === '1';
/**
 * How long the idle row measures (default): one whole heartbeat interval, so every agent beats
 * once in it and pings the rest of the time, as it does for as long as the server idles. It was
 * one minute until session 10: at 10,000 agents one major collection costs the server ~0.2-0.4 s
 * of CPU (the collector's marking of ~160 MB of live heap, most of it aedes' sessions), and
 * whether one, two or none of them fell in the minute after the fan-out rounds (V8's memory
 * reducer runs them then) moved the row between 3.2 and 5.6 % on the same build
 * (doc/performance.md, "Issue 12, session 10"). The note gives the figure of each minute.
 */
export const IDLE_WINDOW_MS = Number(
  process.env.MIG_BENCH_FANOUT_IDLE_WINDOW_MS ?? (IDLE_HEARTBEAT_MS > 0 ? IDLE_HEARTBEAT_MS : 30_000),
);
/** The note's per-minute figures: CPU read at this interval within the window. */
const SLICE_MS = 60_000;

/**
 * `MIG_BENCH_FANOUT_IDLE_SETTLE_MS`: wait this long after changing the heartbeat interval before
 * measuring (default 0), so the pings of agents beating less often than their keepalive have
 * reached their steady rate.
 */
const IDLE_SETTLE_MS = Number(process.env.MIG_BENCH_FANOUT_IDLE_SETTLE_MS ?? 0);
/**
 * `MIG_BENCH_FANOUT_IDLE_SERIES=6000,0,12000,6000,0`: several idle windows on the same fleet,
 * one row each, at these heartbeat intervals in turn (0: none). Alternating rates within one
 * run is the A/B this machine allows: same heap, same sessions, same minutes of load.
 */
export const IDLE_SERIES = seriesFromEnv(process.env.MIG_BENCH_FANOUT_IDLE_SERIES) ?? [IDLE_HEARTBEAT_MS];

/**
 * Server CPU while every agent heartbeats and nothing else happens, then the server's RSS at
 * the end of that window. This process holds the bench's API client too, idle meanwhile (no
 * event stream open, no polling): the window's CPU is the server's.
 */
export async function idleRows(fleet: Fleet): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const beatMs of IDLE_SERIES) rows.push(await idleCpu(fleet, beatMs));
  const loadEnd = loadavg()[0] ?? Number.NaN;
  recordMemory(`idle-end-${fleet.kind}-${fleet.size}`);
  rows.push(rssAfterIdleRow(fleet, process.memoryUsage().rss / 1e6, IDLE_SERIES.at(-1) ?? IDLE_HEARTBEAT_MS, loadEnd));
  return rows;
}

async function idleCpu(fleet: Fleet, beatMs: number): Promise<BenchRow> {
  const loadStart = loadavg()[0] ?? Number.NaN;
  await Promise.all(fleet.children.map((c) => c.ask(`beat ${beatMs}`, 'beating', 10_000)));
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  const stopProfile = await profileWindow(`idle-${fleet.size}-${beatMs}`);
  // On stderr, so an outside profiler (perf record -p) can be started on the window alone.
  process.stderr.write(
    `fanout: idle window of ${IDLE_WINDOW_MS} ms, beats every ${beatMs} ms, server pid ${process.pid}\n`,
  );
  const beatsStart = fleet.heartbeats();
  const probe = startWindowProbe();
  await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
  const window = probe.stop();
  const beatsEnd = fleet.heartbeats();
  await stopProfile();
  const beats = { unchanged: beatsEnd.unchanged - beatsStart.unchanged, parsed: beatsEnd.parsed - beatsStart.parsed };
  const load = { loadStart, loadEnd: loadavg()[0] ?? Number.NaN };
  return idleCpuRow(fleet, window, beatMs, load, beats, SIM_KEEPALIVE_S);
}

function seriesFromEnv(value: string | undefined): number[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(',').map((item) => {
    const ms = Number(item.trim());
    if (!Number.isInteger(ms) || ms < 0 || ms > 2_000_000_000)
      throw new Error(
        `MIG_BENCH_FANOUT_IDLE_SERIES: expected heartbeat intervals in ms like 6000,0, got ${JSON.stringify(item)}`,
      );
    return ms;
  });
}

/**
 * CPU, collector pauses, event-loop use and context switches of this process between start and
 * stop; and the CPU of each whole minute in between, with the major collections it held.
 */
export function startWindowProbe(): { stop(): IdleWindow } {
  let gcMs = 0;
  let gcCount = 0;
  let majorGcs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      gcCount++;
      if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        majorGcs++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const cpuStart = process.cpuUsage();
  const usageStart = process.resourceUsage();
  const eluStart = performance.eventLoopUtilization();
  const wallStart = performance.now();
  const slices: IdleSlice[] = [];
  let sliceCpu = cpuStart;
  let sliceStart = wallStart;
  let sliceMajorGcs = 0;
  const endSlice = (): void => {
    const cpu = process.cpuUsage(sliceCpu);
    const now = performance.now();
    slices.push({ percent: (cpu.user + cpu.system) / 10 / (now - sliceStart), majorGcs: majorGcs - sliceMajorGcs });
    sliceCpu = process.cpuUsage();
    sliceStart = now;
    sliceMajorGcs = majorGcs;
  };
  const sliceTimer = setInterval(endSlice, SLICE_MS);
  return {
    stop: () => {
      clearInterval(sliceTimer);
      // The window's last minute, unless the timer just ended it (the window is whole minutes).
      if (performance.now() - sliceStart > SLICE_MS / 2) endSlice();
      const cpu = process.cpuUsage(cpuStart);
      const usage = process.resourceUsage();
      const elu = performance.eventLoopUtilization(eluStart);
      const wallMs = performance.now() - wallStart;
      observer.disconnect();
      return {
        wallMs,
        userMs: cpu.user / 1000,
        systemMs: cpu.system / 1000,
        gcMs,
        gcCount,
        majorGcs,
        slices,
        loopBusy: elu.utilization,
        voluntarySwitches: usage.voluntaryContextSwitches - usageStart.voluntaryContextSwitches,
        involuntarySwitches: usage.involuntaryContextSwitches - usageStart.involuntaryContextSwitches,
      };
    },
  };
}
