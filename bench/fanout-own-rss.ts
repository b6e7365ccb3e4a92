// The fan-out benchmark's honest RSS rows: the server in its own process (`node bin/mig.js
// server`, bench/fanout-server-process.ts) with the whole simulated fleet connected, its memory
// read from /proc/PID/status as `ps` or a container limit would see it. The in-process rows
// ("server RSS, N simulated agents connected") also count tsx, the harness and the API client.
import { loadavg } from 'node:os';
import type { Fleet } from './fanout-setup.js';
import type { ProcessMemory } from './fanout-server-process.js';
import { BARE_BROKER_MB, GOAL_RSS_MB } from './fanout-rows.js';
import type { BenchRow } from './types.js';

/**
 * `MIG_BENCH_FANOUT_RSS_SETTLE_MS`: how long the connected fleet sits idle before the settled
 * reading (default 30 s): the storm's garbage is collected and freed pages given back by then.
 */
const SETTLE_MS = Number(process.env.MIG_BENCH_FANOUT_RSS_SETTLE_MS ?? 30_000);

/** One fan-out round on the fleet (fanout.ts's runRound: its CPU figures are this process's, unused here). */
export type RoundRunner = (fleet: Fleet) => Promise<unknown>;

/** Reads the server's memory at online, settled, and after one fan-out round (settled again). */
export async function ownProcessRssRows(fleet: Fleet, runRound: RoundRunner): Promise<BenchRow[]> {
  const server = fleet.serverProcess;
  if (server === undefined) throw new Error('ownProcessRssRows: the fleet has no server process');
  const atOnline = { rssMB: fleet.rssConnectedMB, load: fleet.loadConnected };
  // On stderr, so a heap snapshot can be asked for meanwhile (server node options
  // `--heapsnapshot-signal=SIGUSR2`, then `kill -USR2 PID`; bench/heap-summary.ts reads it).
  process.stderr.write(`fanout: server pid ${server.pid}, all online; settling ${SETTLE_MS} ms\n`);
  await sleep(SETTLE_MS);
  const settled = { ...server.memory(), load: loadavg()[0] ?? Number.NaN };
  const cpuStart = server.cpuMs();
  await runRound(fleet);
  const roundCpuMs = server.cpuMs() - cpuStart;
  await sleep(SETTLE_MS);
  const afterRound = { ...server.memory(), load: loadavg()[0] ?? Number.NaN };
  const label = fleet.size.toLocaleString('en-US');
  const how = `\`${server.nodeOptions === '' ? '' : `node ${server.nodeOptions} `}bin/mig.js server\` in its own process (${server.fromDist ? 'compiled dist/' : 'sources through tsx: dist/ was stale, run npm run build'}), VmRSS from /proc/PID/status`;
  return [
    // Alike on purpose (duplicates): two rows of one table, the same fields with each moment's own figures and words.
    {
      name: `server RSS, own process, ${label} simulated agents connected`,
      // The same moment as the in-process row (all online, the storm's garbage still held): the higher figure.
      ours: atOnline.rssMB,
      reference: 'bare aedes broker (STACK-NOTES)',
      referenceValue: BARE_BROKER_MB[fleet.size] ?? Number.NaN,
      unit: 'MB',
      note: [
        `goal ≤ ${GOAL_RSS_MB} MB`,
        how,
        `as the server counts all online (load average ${atOnline.load.toFixed(1)}); ${SETTLE_MS / 1000} s later ${fmt(settled.rssMB)} MB (load ${settled.load.toFixed(1)}); just started, no agent yet: ${fmt(fleet.rssBeforeMB)} MB`,
        peak(settled),
        `server CPU (/proc/PID/stat) during the connect storm ${fmt(fleet.connectCpuMs)} ms${fleet.enroll === undefined ? '' : `, enrollment ${fmt(fleet.enroll.cpuMs)} ms`}`,
        'no bench code in that process',
      ].join('; '),
    },
    {
      name: `server RSS, own process, ${label} simulated agents, after a fan-out round`,
      ours: afterRound.rssMB,
      reference: 'bare aedes broker (STACK-NOTES)',
      referenceValue: BARE_BROKER_MB[fleet.size] ?? Number.NaN,
      unit: 'MB',
      note: [
        `goal ≤ ${GOAL_RSS_MB} MB`,
        how,
        `every agent still connected, ${SETTLE_MS / 1000} s after one action ran on all of them (results stored; server CPU for that round ${fmt(roundCpuMs)} ms, unwarmed)`,
        peak(afterRound),
        `load average ${afterRound.load.toFixed(1)}`,
      ].join('; '),
    },
  ];
}

function peak(memory: ProcessMemory): string {
  return `peak since start (VmHWM) ${fmt(memory.hwmMB)} MB`;
}

const fmt = (n: number): string => n.toFixed(n >= 100 ? 0 : 1);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
