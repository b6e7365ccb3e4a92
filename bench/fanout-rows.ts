// The fan-out benchmark's figures: medians over rounds, turned into `npm run bench` rows.
import { DEFAULT_HEARTBEAT_MS } from '../agent/config.js';
import type { ChildReport } from './fanout-fleet.js';
import type { EnrollPhase, Fleet } from './fanout-setup.js';
import type { BenchRow } from './types.js';

const REFERENCE = 'bare aedes round trip (STACK-NOTES)';
/** STACK-NOTES: 1,000 agents 55-80 ms (70 used); 100 agents 23 ms with Nagle off; 10,000 agents 0.9 s. */
const BARE_ROUND_MS: Record<number, number> = { 100: 23, 1000: 70, 10_000: 900 };
/** STACK-NOTES has connect time and broker memory for 1,000 and 10,000 agents only. */
const BARE_CONNECT_MS: Record<number, number> = { 1000: 800, 10_000: 4100 };
export const BARE_BROKER_MB: Record<number, number> = { 1000: 123, 10_000: 254 };
// Alike on purpose (duplicates): goal constants then a result interface; console/cli/follow.ts has polling constants
// then an options interface: the two share only that layout.
/** Issue 12's goals, printed beside what we measured. */
const GOAL_ROUND_MS: Record<string, number> = { 'sim:1000': 700, 'sim:10000': 3000 };
export const GOAL_CPU_PER_COMMAND_MS = 0.25;
const GOAL_STORM_MS = 15_000;
export const GOAL_RSS_MB = 400;
const GOAL_IDLE_PERCENT = 5;
/** STACK-NOTES: one detached signature verified, key pre-parsed: 0.6-1.0 ms. */
const VERIFY_ALONE_MS = 0.8;

export interface Round {
  /** Launch → the event saying every command is done. */
  ms: number;
  /** The server's own finishedAt minus the launch: no event stream in between. */
  serverMs: number;
  /** This process (server + event-stream reader) during the round; the server's alone when it has its own process. */
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
/** A change in MB with its sign (the RSS can shrink while the server starts: GC of the bench's own setup). */
const signedMb = (n: number): string => `${n < 0 ? '−' : '+'}${fmt(Math.abs(n))} MB`;

export function rowsOf(
  fleet: Fleet,
  rounds: readonly Round[],
  opts: { measured: number; warmup: number; rssMB: number; loadAvg: number; loadEnd: number },
): BenchRow[] {
  const { size } = fleet;
  const label = size.toLocaleString('en-US');
  const goal = GOAL_ROUND_MS[`${fleet.kind}:${size}`];
  const rss = `server process RSS ${fmt(opts.rssMB)} MB (${signedMb(opts.rssMB - fleet.rssBeforeMB)} since before the server started${BARE_BROKER_MB[size] === undefined ? '' : `; bare aedes broker ${BARE_BROKER_MB[size]} MB`})`;
  const connect = `connect ${fmt(fleet.connectMs)} ms`;
  const connectRef = BARE_CONNECT_MS[size];
  const rows: BenchRow[] = [
    {
      name:
        fleet.kind === 'real'
          ? `fan-out ${label} agents: launch → last result`
          : `fan-out ${label} simulated agents: launch → last result`,
      ours: median(rounds.map((r) => r.ms)),
      reference: REFERENCE,
      referenceValue: BARE_ROUND_MS[size] ?? Number.NaN,
      unit: 'ms',
      note: [
        ...(fleet.kind === 'sim' ? [simNote(fleet)] : []),
        ...(goal === undefined ? [] : [`goal ≤ ${goal} ms`]),
        `median of ${opts.measured} rounds after ${opts.warmup} unmeasured [${rounds.map((r) => fmt(r.ms)).join(', ')}]`,
        phases(rounds),
        cpu(rounds, size),
        ...(connectRef === undefined ? [connect] : []),
        rss,
        `load average ${opts.loadAvg.toFixed(1)} at the start, ${opts.loadEnd.toFixed(1)} at the end`,
      ].join('; '),
    },
  ];
  if (fleet.enroll !== undefined) rows.push(enrollRow(fleet, fleet.enroll, label));
  if (connectRef !== undefined) rows.push(connectRow(fleet, label, connectRef));
  if (fleet.kind === 'sim') rows.push(rssRow(fleet, label));
  rows.push(agentRow(fleet, rounds, label));
  return rows;
}

function simNote(fleet: Fleet): string {
  const verify =
    fleet.verify === 'full'
      ? 'every agent verifies every signature'
      : 'one signature verification per agent process for identical action bytes, every other acceptance step per agent';
  const answers = fleet.signAnswers
    ? "answers signed with each agent's key, as real agents do (MIG_BENCH_FANOUT_SIGN_ANSWERS=1)"
    : 'answers unsigned (real agents sign theirs: MIG_BENCH_FANOUT_SIGN_ANSWERS=1)';
  return `simulated agents (bench/fanout-sim-agent.ts: real MQTT sessions and acceptance steps, no module run, no journals): ${verify}; ${answers}`;
}

/** The simulated fleet's enrollment phase: no reference figure (bare aedes has no enrollment). */
function enrollRow(fleet: Fleet, enroll: EnrollPhase, label: string): BenchRow {
  const per = (pick: (c: EnrollPhase['children'][number]) => number): string =>
    enroll.children.map((c) => fmt(pick(c))).join(' / ');
  const count = (pick: (c: EnrollPhase['children'][number]) => number): string =>
    enroll.children.map((c) => String(pick(c))).join(' / ');
  return {
    name: `enroll ${label} simulated agents (auto-accept)`,
    ours: enroll.ms,
    reference: 'none (bare aedes has no enrollment)',
    referenceValue: Number.NaN,
    unit: 'ms',
    note: [
      `each agent once, before any logs in: its own Ed25519 key and derived id, a signed request (agent/enroll.ts) over a mig-enroll login, the server checks and auto-accepts it and stores the password's hash`,
      `${count((c) => c.inFlight)} enrollments in flight per child; per child: all accepted after ${per((c) => c.enrollMs)} ms (keys made before, untimed: ${per((c) => c.keysMs)} ms); per-agent login → accepted p50 ${per((c) => c.enrollP50Ms)} ms, p99 ${per((c) => c.enrollP99Ms)} ms, max ${per((c) => c.enrollMaxMs)} ms; retries ${count((c) => c.retries)}`,
      `server CPU ${fmt(enroll.cpuMs)} ms (${fmt(enroll.cpuMs / fleet.size)} ms/agent); load average ${enroll.load.toFixed(1)} at the end`,
    ].join('; '),
  };
}

function connectRow(fleet: Fleet, label: string, reference: number): BenchRow {
  const latency = (pick: (r: Fleet['ready'][number]) => number | undefined): string =>
    fleet.ready.map((r) => fmt(pick(r) ?? Number.NaN)).join(' / ');
  const isStorm = fleet.kind === 'sim';
  return {
    name: isStorm
      ? `connect storm ${label} simulated agents (until all online)`
      : `connect ${label} agents (until all online)`,
    ours: fleet.connectMs,
    reference: 'bare aedes connect (STACK-NOTES)',
    referenceValue: reference,
    unit: 'ms',
    note: isStorm
      ? [
          `goal ≤ ${GOAL_STORM_MS} ms, none starved`,
          `logins of already-enrolled agents (own id, own password; enrollment is the row before)`,
          `every session opened at once, per child: all subscribed after ${latency((r) => r.connectMs)} ms; per-agent connect → subscribed p50 ${latency((r) => r.connectP50Ms)} ms, p99 ${latency((r) => r.connectP99Ms)} ms, max ${latency((r) => r.connectMaxMs)} ms; reconnects ${fleet.ready.map((r) => r.reconnects ?? 0).join(' / ')}`,
          `then the server counts all online; server CPU during the storm ${fmt(fleet.connectCpuMs)} ms (${fmt(fleet.connectCpuMs / fleet.size)} ms/agent); load average ${fleet.loadConnected.toFixed(1)}`,
        ].join('; ')
      : `first start of real agents, so each enrolls (auto-accept) then logs in; children loaded → server counts all online; each child's first start → last connected: ${fleet.childConnectMs.map(fmt).join(' / ')} ms`,
  };
}

function rssRow(fleet: Fleet, label: string): BenchRow {
  return {
    name: `server RSS, ${label} simulated agents connected`,
    ours: fleet.rssConnectedMB,
    reference: 'bare aedes broker (STACK-NOTES)',
    referenceValue: BARE_BROKER_MB[fleet.size] ?? Number.NaN,
    unit: 'MB',
    note: `goal ≤ ${GOAL_RSS_MB} MB; the bench's process (server + tsx + harness + the bench's API client: the server's own is the "own process" row) once all are online, ${signedMb(fleet.rssConnectedMB - fleet.rssBeforeMB)} since before the server started; load average ${fleet.loadConnected.toFixed(1)}`,
  };
}

/**
 * The RSS row again, at the end of the idle interval: the same fleet connected, after the
 * fan-out rounds and one heartbeat interval with nothing else to do (the row above measures
 * right at the end of the connect storm, when its garbage is still in the heap).
 */
export function rssAfterIdleRow(fleet: Fleet, rssMB: number, heartbeatMs: number, load: number): BenchRow {
  return {
    name: `server RSS, ${fleet.size.toLocaleString('en-US')} simulated agents connected, after the idle interval`,
    ours: rssMB,
    reference: 'bare aedes broker (STACK-NOTES)',
    referenceValue: BARE_BROKER_MB[fleet.size] ?? Number.NaN,
    unit: 'MB',
    note: `goal ≤ ${GOAL_RSS_MB} MB; the bench's process (server + tsx + harness + the bench's API client: the server's own is the "own process" rows) with every agent still connected, after the fan-out rounds and the idle window (${heartbeatMs > 0 ? `heartbeats every ${heartbeatMs / 1000} s` : 'no heartbeats'}); load average ${load.toFixed(1)}`,
  };
}

/** What the idle window cost this (the server's) process, by kind. */
export interface IdleWindow {
  wallMs: number;
  userMs: number;
  systemMs: number;
  /** Collector pauses (PerformanceObserver 'gc' entries) and how many; how many were major. */
  gcMs: number;
  gcCount: number;
  majorGcs: number;
  /** Each whole minute of the window in turn. */
  slices: IdleSlice[];
  /** Share of the window the event loop was busy (performance.eventLoopUtilization). */
  loopBusy: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
}

/** One minute of an idle window: the server's CPU as % of one core, and the major collections in it. */
export interface IdleSlice {
  percent: number;
  majorGcs: number;
}

/** Server CPU while the whole fleet heartbeats and nothing else happens, as % of one core. */
export function idleCpuRow(
  fleet: Fleet,
  window: IdleWindow,
  heartbeatMs: number,
  load: { loadStart: number; loadEnd: number },
  beats: { unchanged: number; parsed: number },
  keepaliveS: number,
): BenchRow {
  const received = beats.unchanged + beats.parsed;
  const label = fleet.size.toLocaleString('en-US');
  const cpuMs = window.userMs + window.systemMs;
  const percentOf = (ms: number): string => `${fmt((ms / window.wallMs) * 100)} %`;
  const rate =
    heartbeatMs > 0
      ? `agents beating every ${heartbeatMs / 1000} s${heartbeatMs === DEFAULT_HEARTBEAT_MS ? " (the agents' default)" : ' (set by MIG_BENCH_FANOUT_IDLE_BEAT_MS)'}, beats spread evenly: ${fmt((fleet.size / heartbeatMs) * 1000)} heartbeats/s`
      : 'no heartbeats (MIG_BENCH_FANOUT_IDLE_BEAT_MS=0): connected sessions alone';
  const pings =
    keepaliveS > 0
      ? `MQTT keepalive ${keepaliveS} s (a ping from each agent that received nothing for that long)`
      : 'no keepalive pings (MIG_BENCH_FANOUT_KEEPALIVE_S=0)';
  return {
    name: `server idle CPU, ${label} agents heartbeating`,
    ours: (cpuMs / window.wallMs) * 100,
    reference: 'goal (issue 12)',
    referenceValue: GOAL_IDLE_PERCENT,
    unit: '%',
    note: [
      `% of one core over ${fmt(window.wallMs / 1000)} s, ${rate}; ${pings}`,
      `the server took ${received} (${fmt((received / window.wallMs) * 1000)}/s, ${beats.unchanged} unchanged ones by the fast path)${received > 0 ? `, ${fmt((cpuMs * 1000) / received)} µs of CPU per heartbeat` : ''}`,
      `user ${percentOf(window.userMs)}, system ${percentOf(window.systemMs)}; collector pauses ${percentOf(window.gcMs)} (${window.gcCount}, ${window.majorGcs} of them major)${slicesNote(window.slices)}; event loop busy ${fmt(window.loopBusy * 100)} %; context switches ${window.voluntarySwitches} voluntary, ${window.involuntarySwitches} involuntary`,
      `load average ${load.loadStart.toFixed(1)} at the start, ${load.loadEnd.toFixed(1)} at the end`,
    ].join('; '),
  };
}

/** Each minute's figure, with its major collections (V8's marking of the whole heap) in brackets. */
function slicesNote(slices: readonly IdleSlice[]): string {
  if (slices.length < 2) return '';
  return `; minute by minute ${slices.map((s) => `${fmt(s.percent)} %${s.majorGcs > 0 ? ` (${s.majorGcs} major)` : ''}`).join(', ')}`;
}

/** Where a round's time goes, medians over rounds, all from the launch. */
export function phases(rounds: readonly Round[]): string {
  const at = (pick: (r: Round) => number): string => fmt(median(rounds.map(pick)));
  return `from launch: first command at an agent ${at((r) => r.firstCommandMs)} ms, last ${at((r) => r.lastCommandMs)} ms, last result sent ${at((r) => r.lastResultMs)} ms, server's finishedAt ${at((r) => r.serverMs)} ms`;
}

function cpu(rounds: readonly Round[], size: number): string {
  const server = median(rounds.map((r) => r.serverCpuMs));
  const least = Math.min(...rounds.map((r) => r.serverCpuMs));
  const agents = median(rounds.map((r) => sum(r.reports.map((c) => c.cpuMs))));
  return `CPU per round: server ${fmt(server)} ms (${fmt(server / size)}/command, least ${fmt(least / size)}; goal ≤ ${GOAL_CPU_PER_COMMAND_MS}), agents ${fmt(agents)} ms (2 cores in all)`;
}

/** Agent-side cost: CPU per command, and what each agent saw (contended: its siblings share its process). */
function agentRow(fleet: Fleet, rounds: readonly Round[], label: string): BenchRow {
  const reports = rounds.flatMap((r) => r.reports);
  const pooled = (pick: (c: ChildReport) => number[]): string => fmt(median(reports.flatMap(pick)));
  const perChild = Math.ceil(fleet.size / fleet.children.length);
  return {
    name:
      fleet.kind === 'real'
        ? `agent CPU per command, ${label} agents`
        : `agent CPU per command, ${label} simulated agents`,
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
