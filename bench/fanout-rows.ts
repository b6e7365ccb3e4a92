// The fan-out benchmark's figures: medians over rounds, turned into `npm run bench` rows.
import type { ChildReport } from './fanout-fleet.js';
import type { Fleet } from './fanout-setup.js';
import type { BenchRow } from './types.js';

const REFERENCE = 'bare aedes round trip (STACK-NOTES)';
/** STACK-NOTES: 1,000 agents 55-80 ms (70 used); 100 agents 23 ms with Nagle off. */
const BARE_ROUND_MS: Record<number, number> = { 100: 23, 1000: 70 };
/** STACK-NOTES has connect time and broker memory for 1,000 (and 10,000) agents only. */
const BARE_CONNECT_MS: Record<number, number> = { 1000: 800 };
const BARE_BROKER_MB: Record<number, number> = { 1000: 123 };
/** STACK-NOTES: one detached signature verified, key pre-parsed: 0.6-1.0 ms. */
const VERIFY_ALONE_MS = 0.8;

export interface Round {
  /** Launch → the event saying every command is done. */
  ms: number;
  /** The server's own finishedAt minus the launch: no event stream in between. */
  serverMs: number;
  /** This process (server + event-stream reader) during the round. */
  serverCpuMs: number;
  reports: ChildReport[];
  /** Launch → first command received by an agent, → last received, → last result sent (one machine, one clock). */
  firstCommandMs: number;
  lastCommandMs: number;
  lastResultMs: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

const fmt = (n: number): string => n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2);

export function rowsOf(fleet: Fleet, rounds: readonly Round[], opts: { measured: number; rssMB: number; loadAvg: number }): BenchRow[] {
  const { size } = fleet;
  const label = size.toLocaleString('en-US');
  const rss = `server process RSS ${fmt(opts.rssMB)} MB (+${fmt(opts.rssMB - fleet.rssBeforeMB)} MB since before the server started${BARE_BROKER_MB[size] === undefined ? '' : `; bare aedes broker ${BARE_BROKER_MB[size]} MB`})`;
  const connect = `connect ${fmt(fleet.connectMs)} ms`;
  const connectRef = BARE_CONNECT_MS[size];
  const rows: BenchRow[] = [
    {
      name: `fan-out ${label} agents: launch → last result`,
      ours: median(rounds.map((r) => r.ms)),
      reference: REFERENCE,
      referenceValue: BARE_ROUND_MS[size] ?? Number.NaN,
      unit: 'ms',
      note: [
        `median of ${opts.measured} rounds [${rounds.map((r) => fmt(r.ms)).join(', ')}]`,
        phases(rounds),
        cpu(rounds, size),
        ...(connectRef === undefined ? [connect] : []),
        rss,
        `load average ${opts.loadAvg.toFixed(1)} at the start`,
      ].join('; '),
    },
  ];
  if (connectRef !== undefined) {
    rows.push({
      name: `connect ${label} agents (until all online)`,
      ours: fleet.connectMs,
      reference: 'bare aedes connect (STACK-NOTES)',
      referenceValue: connectRef,
      unit: 'ms',
      note: `children loaded → server counts all online; each child's first start → last connected: ${fleet.childConnectMs.map(fmt).join(' / ')} ms`,
    });
  }
  rows.push(agentRow(fleet, rounds, label));
  return rows;
}

/** Where a round's time goes, medians over rounds, all from the launch. */
function phases(rounds: readonly Round[]): string {
  const at = (pick: (r: Round) => number): string => fmt(median(rounds.map(pick)));
  return `from launch: first command at an agent ${at((r) => r.firstCommandMs)} ms, last ${at((r) => r.lastCommandMs)} ms, last result sent ${at((r) => r.lastResultMs)} ms, server's finishedAt ${at((r) => r.serverMs)} ms`;
}

function cpu(rounds: readonly Round[], size: number): string {
  const server = median(rounds.map((r) => r.serverCpuMs));
  const agents = median(rounds.map((r) => sum(r.reports.map((c) => c.cpuMs))));
  return `CPU per round: server ${fmt(server)} ms (${fmt(server / size)}/command), agents ${fmt(agents)} ms (2 cores in all)`;
}

/** Agent-side cost: CPU per command, and what each agent saw (contended: its siblings share its process). */
function agentRow(fleet: Fleet, rounds: readonly Round[], label: string): BenchRow {
  const reports = rounds.flatMap((r) => r.reports);
  const pooled = (pick: (c: ChildReport) => number[]): string => fmt(median(reports.flatMap(pick)));
  const perChild = Math.ceil(fleet.size / fleet.children.length);
  return {
    name: `agent CPU per command, ${label} agents`,
    ours: median(rounds.map((r) => sum(r.reports.map((c) => c.cpuMs)) / sum(r.reports.map((c) => c.handled)))),
    reference: 'openpgp verify alone (STACK-NOTES)',
    referenceValue: VERIFY_ALONE_MS,
    unit: 'ms',
    note: [
      'verify + run + journal + MQTT: child CPU / commands',
      `per-agent medians: verify ${pooled((c) => c.verifyMs)} ms, run ${pooled((c) => c.runMs)} ms, received → result ${pooled((c) => c.totalMs)} ms (${perChild} agents queue on one event loop)`,
      `each agent process (${perChild} agents) RSS ${fleet.children.map((_, i) => fmt(Math.max(...rounds.map((r) => r.reports[i]?.rssMB ?? 0)))).join(' / ')} MB`,
      `agent data dirs on ${fleet.agentsOnTmpfs ? 'tmpfs' : 'disk'}`,
    ].join('; '),
  };
}
