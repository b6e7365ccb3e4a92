// Fleet fan-out: launch (POST /actions) → last result, for 100 and 1,000 real agents connected
// to one embedded server. The agents run in two child processes (bench/fanout-agents.ts), with
// the real verify pipeline and runner over real MQTT; this process holds the server and follows
// the action over the event stream like the console. The reference is a bare aedes broadcast
// round trip measured on the same kind of machine (STACK-NOTES), so the ratio is what
// verification, ACL, running the module and storing results cost on top of raw MQTT.
import { loadavg } from 'node:os';
import type { ActionRecord } from '../protocol/api.js';
import { signAs, unsignedAction } from '../test/helpers/actions.js';
import { followUntilDone, launch } from './fanout-api.js';
import type { ChildReport } from './fanout-fleet.js';
import { IDLE_ROW_FORCED, IDLE_SERIES, IDLE_WINDOW_MS, idleRows } from './fanout-idle.js';
import { idleFloorRow } from './fanout-idle-floor.js';
import { ownProcessCpuRow } from './fanout-own-cpu.js';
import { ownProcessRssRows } from './fanout-own-rss.js';
import { rowsOf, type Round } from './fanout-rows.js';
import { profileWindow, recordMemory } from './fanout-inspect.js';
import { withFleet, type Fleet, type FleetPlan } from './fanout-setup.js';
import { SIM_KEEPALIVE_S } from './fanout-sim-agent.js';
import type { BenchRow } from './types.js';

/** Fleets this large also get the idle-CPU row. */
const IDLE_ROW_MIN_SIZE = 10_000;
/** An own-process fleet this large gives the RSS rows; a smaller one the server-CPU row. */
const OWN_PROCESS_RSS_MIN_SIZE = 10_000;
/**
 * Real agents at 100 and 1,000 (the existing rows); simulated agents at 1,000 (each verifies
 * every signature) and 10,000 (one signature check per process for identical action bytes).
 * Then 1,000 and 10,000 simulated agents again on a server in its own process (`mig server`, from
 * dist/: `npm run build` first): at 1,000 for the server's CPU per command with no bench code in
 * its process (the in-process rows also count the bench's event-stream reader and API client), at
 * 10,000 for the RSS rows (the in-process server's RSS includes the bench).
 * `MIG_BENCH_FANOUT_FLEETS=real:1000,sim:10000` runs only those (for profiling one size);
 * `own:1000` and `own:10000` are the own-process fleets.
 */
const PLANS: FleetPlan[] = plansFromEnv(process.env.MIG_BENCH_FANOUT_FLEETS) ?? [
  { kind: 'real', size: 100, verify: 'full' },
  { kind: 'real', size: 1000, verify: 'full' },
  { kind: 'sim', size: 1000, verify: 'full' },
  { kind: 'sim', size: 10_000, verify: 'shared' },
  { kind: 'sim', size: 1000, verify: 'full', server: 'own-process' },
  { kind: 'sim', size: 10_000, verify: 'shared', server: 'own-process' },
];
/** `MIG_BENCH_FANOUT_ROUNDS=8` measures more rounds (steadier CPU figures on a busy machine). */
const ROUNDS = Number(process.env.MIG_BENCH_FANOUT_ROUNDS ?? 3);
/**
 * Unmeasured rounds first: JIT and first-use paths in the server and every agent. V8 keeps
 * optimising the server's per-command paths for about its first 3,000 commands (`--trace-opt`,
 * 1,000 agents, load ~20: 1.8, 1.3 and 0.7 s of TurboFan work in the first three rounds, under
 * 0.4 s in each later one, whose server CPU was 0.42-0.47 ms per command against 0.72-0.78 in
 * rounds two and three). So a fleet gets rounds until 3,000 commands, at most three, at least one;
 * `MIG_BENCH_FANOUT_WARMUP_ROUNDS` sets it.
 */
function warmupRounds(size: number): number {
  const forced = process.env.MIG_BENCH_FANOUT_WARMUP_ROUNDS;
  if (forced !== undefined && forced !== '') return Number(forced);
  return Math.min(3, Math.max(1, Math.ceil(3000 / size)));
}
/** Lets the store's batched flush (200 ms) of one round finish before the next starts. */
const PAUSE_MS = 500;
const ROUND_TIMEOUT_MS = 120_000;
export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const plan of PLANS) {
    const planRows = await withFleet(plan, measure);
    rows.push(...planRows);
    // The idle row's floor: bare aedes at the same packet rate, once this fleet has closed.
    const idle = planRows.find((r) => r.name.startsWith('server idle CPU'));
    const beatMs = IDLE_SERIES[0] ?? 0;
    if (idle !== undefined && beatMs > 0 && process.env.MIG_BENCH_FANOUT_IDLE_FLOOR !== '0')
      rows.push(
        await idleFloorRow({ agents: plan.size, beatMs, keepaliveS: SIM_KEEPALIVE_S, windowMs: IDLE_WINDOW_MS }, idle),
      );
  }
  return rows;
}

async function measure(fleet: Fleet): Promise<BenchRow[]> {
  if (fleet.server === 'own-process' && fleet.size >= OWN_PROCESS_RSS_MIN_SIZE)
    return ownProcessRssRows(fleet, runRound);
  // Other work on the machine moves these figures a lot: the note says how busy it was.
  const loadAvg = loadavg()[0] ?? Number.NaN;
  const warmup = warmupRounds(fleet.size);
  if (fleet.server === 'own-process') {
    const rounds = await measuredRounds(fleet, warmup);
    return [ownProcessCpuRow(fleet, rounds, { warmup, loadAvg, loadEnd: loadavg()[0] ?? Number.NaN })];
  }
  recordMemory(`connected-${fleet.kind}-${fleet.size}`);
  const rounds = await measuredRounds(fleet, warmup);
  const rows = rowsOf(fleet, rounds, {
    measured: ROUNDS,
    warmup,
    rssMB: process.memoryUsage().rss / 1e6,
    loadAvg,
    loadEnd: loadavg()[0] ?? Number.NaN,
  });
  if (fleet.kind === 'sim' && (fleet.size >= IDLE_ROW_MIN_SIZE || IDLE_ROW_FORCED))
    rows.push(...(await idleRows(fleet)));
  return rows;
}

/** `warmup` unmeasured rounds, then ROUNDS measured ones (profiled when MIG_BENCH_FANOUT_INSPECT is set). */
async function measuredRounds(fleet: Fleet, warmup: number): Promise<Round[]> {
  const rounds: Round[] = [];
  let stopProfile = async (): Promise<void> => undefined;
  for (let i = 0; i < warmup + ROUNDS; i++) {
    if (i === warmup) stopProfile = await profileWindow(`rounds-${fleet.kind}-${fleet.size}`);
    const round = await runRound(fleet);
    if (i >= warmup) rounds.push(round);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  await stopProfile();
  return rounds;
}

async function runRound(fleet: Fleet): Promise<Round> {
  const { size, client, children } = fleet;
  const action = await signAs(unsignedAction({ name: `fan-out to ${size} agents` }), ['alice']);
  await Promise.all(children.map((c) => c.ask('mark', 'marked', 10_000)));
  const follower = followUntilDone(client, action.id, size);
  try {
    await within(follower.opened, 10_000, 'the event stream did not open');
    const cpuStart = fleet.serverCpuMs();
    const launched = await launch(client, action);
    const progress = async (): Promise<string> => JSON.stringify((await client.getAction(action.id)).counters);
    const { atMs, record } = await within(follower.done, ROUND_TIMEOUT_MS, `action ${action.id} not done`, progress);
    const cpuMs = fleet.serverCpuMs() - cpuStart;
    const reports = await Promise.all(children.map((c) => c.ask('report', 'report', 10_000)));
    checkAllSucceeded(record, size, fleet, reports);
    const since = (at: number): number => at - launched.startEpochMs;
    return {
      ms: atMs - launched.startMs,
      serverCpuMs: cpuMs,
      serverMs: since(Date.parse(record.finishedAt ?? '')),
      reports,
      firstCommandMs: since(Math.min(...reports.map((r) => r.firstReceivedAt))),
      lastCommandMs: since(Math.max(...reports.map((r) => r.lastReceivedAt))),
      lastResultMs: since(Math.max(...reports.map((r) => r.lastPublishedAt))),
    };
  } finally {
    follower.stop();
  }
}

/** A round that did not do the work is no measurement: say what the agents answered instead. */
function checkAllSucceeded(record: ActionRecord, size: number, fleet: Fleet, reports: readonly ChildReport[]): void {
  const { counters } = record;
  if (counters.targeted === size && counters.success === size && counters.found === size) return;
  const statuses = reports.map((r) => JSON.stringify(r.statuses)).join(' + ');
  const stderr = fleet.children
    .map((c) => c.stderrTail())
    .filter((t) => t !== '')
    .join('\n');
  throw new Error(
    `action ${record.action.id}: expected ${size} successful commands that found the file, got ${JSON.stringify(counters)}; agents answered ${statuses}${stderr === '' ? '' : `; agent logs:\n${stderr}`}`,
  );
}

async function within<T>(promise: Promise<T>, ms: number, what: string, detail?: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const explain =
        detail === undefined
          ? Promise.resolve('')
          : detail().then(
              (d) => `: ${d}`,
              () => '',
            );
      void explain.then((d) => reject(new Error(`${what} within ${ms} ms${d}`)));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function plansFromEnv(value: string | undefined): FleetPlan[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(',').map((item) => {
    const [given, count] = item.trim().split(':');
    const size = Number(count);
    if ((given !== 'real' && given !== 'sim' && given !== 'own') || !Number.isInteger(size) || size < 1) {
      throw new Error(
        `MIG_BENCH_FANOUT_FLEETS: expected items like real:1000, sim:10000 or own:10000 (simulated agents, server in its own process), got ${JSON.stringify(item)}`,
      );
    }
    const kind = given === 'real' ? 'real' : 'sim';
    return {
      kind,
      size,
      ...(given === 'own' ? { server: 'own-process' as const } : {}),
      verify:
        kind === 'sim' && (size >= IDLE_ROW_MIN_SIZE || process.env.MIG_BENCH_FANOUT_SHARED === '1')
          ? 'shared'
          : 'full',
    };
  });
}
