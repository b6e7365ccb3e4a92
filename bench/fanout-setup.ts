// The fan-out benchmark's world: an embedded server in this process, a tiny host tree shared by
// every agent, and two child processes of real agents; torn down whatever happens.
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiClient } from '../console/services/api-client.js';
import { startServer, type RunningServer } from '../broker/server.js';
import { tuneV8ForServer } from '../broker/v8-tuning.js';
import { armoredPublicKey } from '../test/helpers/keys.js';
import { aliceClient, waitOnline } from './fanout-api.js';
import { AgentChild, type AgentKind } from './fanout-fleet.js';
import { spawnServerProcess, type ServerProcess } from './fanout-server-process.js';

const CHILDREN = 2;
/** Agents only beat on connect: nothing but the benchmark's own traffic during the rounds. */
const HEARTBEAT_MS = 3_600_000;
/** `MIG_BENCH_FANOUT_CONNECT_TIMEOUT_MS`: longer on a machine shared with other work (10,000 enrollments at load 30 outlast 5 min). */
const CONNECT_TIMEOUT_MS = Number(process.env.MIG_BENCH_FANOUT_CONNECT_TIMEOUT_MS ?? 300_000);
/**
 * `MIG_BENCH_FANOUT_SIGN_ANSWERS=1`: simulated agents sign every answer with their own key, as
 * real agents do, so the server's per-result signature check is in the figures (off by default:
 * the simulated rows have been measured without it since issue 12 began).
 */
const SIGN_ANSWERS = process.env.MIG_BENCH_FANOUT_SIGN_ANSWERS === '1';
/** Live events go out at once instead of in 50 ms batches: we time the fleet, not the console's refresh rate. */
const SSE_TIMING = { batchMs: 1, pingMs: 15_000 };
/**
 * Every agent of the bench enrolls from 127.0.0.1: no per-address limit, and every valid
 * request accepted at once (no admin in the loop; we time the fleet, not a person).
 */
const ENROLLMENT = {
  autoAccept: true,
  enrollRate: { burst: 100_000, perSecond: 100_000 },
  maxPendingEnrollments: 100_000,
};

/** Which fleet a measurement runs on. */
export interface FleetPlan {
  size: number;
  kind: AgentKind;
  /** Simulated agents: each verifies every signature ('full') or one check per process ('shared'). */
  verify: 'full' | 'shared';
  /**
   * 'own-process': the server runs as `node bin/mig.js server` in a process of its own
   * (bench/fanout-server-process.ts), so its RSS and CPU are the server's alone; the fleet then
   * gives only the RSS rows (10,000) or the server-CPU row (smaller). Default 'in-process':
   * every other row (CPU from process.cpuUsage()).
   */
  server?: 'in-process' | 'own-process';
}

export interface ChildReady {
  connectMs: number;
  connectP50Ms?: number;
  connectP99Ms?: number;
  connectMaxMs?: number;
  reconnects?: number;
}

/** What each simulated-agent child said once all its agents were enrolled. */
export interface ChildEnrolled {
  agents: number;
  keysMs: number;
  enrollMs: number;
  enrollP50Ms: number;
  enrollP99Ms: number;
  enrollMaxMs: number;
  inFlight: number;
  retries: number;
}

/** The enrollment phase of a simulated fleet, before its connect storm. */
export interface EnrollPhase {
  /** Both children told to enroll → both said every agent is accepted. */
  ms: number;
  /** Server process CPU during that. */
  cpuMs: number;
  children: ChildEnrolled[];
  load: number;
}

export interface Fleet extends FleetPlan {
  /** Simulated fleets only (real agents enroll inside startAgent, during the connect row). */
  enroll?: EnrollPhase;
  client: ApiClient;
  children: AgentChild[];
  /** Both children loaded → the server reports every agent online. */
  connectMs: number;
  /** Each child's own start of its first agent → its last agent connected. */
  childConnectMs: number[];
  /** Server process CPU from the start of the connections until all were online. */
  connectCpuMs: number;
  /** What each child said when all its agents were connected. */
  ready: ChildReady[];
  /** This process's RSS once every agent is online; own process: the server's (VmRSS). */
  rssConnectedMB: number;
  /** Machine load (1-minute average) when the fleet was online. */
  loadConnected: number;
  /** This process's RSS before the server started; own process: the server's once started, no agent yet. */
  rssBeforeMB: number;
  agentsOnTmpfs: boolean;
  /** Simulated agents sign their answers (real agents always do). */
  signAnswers: boolean;
  /** The server registry's heartbeat counters (fast path / full parse) since it started (NaN: own process). */
  heartbeats(): { unchanged: number; parsed: number };
  /** The server's own process, when the plan asked for one. */
  serverProcess?: ServerProcess;
  /** The server's CPU so far, in ms: its own process's (/proc/PID/stat), else this process's (server + bench). */
  serverCpuMs(): number;
}

/** The part of a running server the bench needs, in this process or its own. */
interface BenchServer {
  httpUrl: string;
  agentConfigPath: string;
  heartbeatCounts(): { unchanged: number; parsed: number };
  close(): Promise<void>;
  process?: ServerProcess;
}

/**
 * Where the agents' data dirs go. Each agent journals every command with synchronous file
 * writes (running journal, replay journal); on ext4 an unlink right after a rename-over waits
 * for writeback (~1-2 ms). On a real fleet each agent pays that on its own host; here 500
 * agents share one event loop and one disk, which would serialize 500 stalls per round and
 * time the simulation rather than the fleet. tmpfs keeps the journals real but cheap.
 */
function agentsBaseDir(): { dir: string; isTmpfs: boolean } {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return { dir: '/dev/shm', isTmpfs: true };
  } catch {
    return { dir: tmpdir(), isTmpfs: false };
  }
}

/** The host every agent investigates: three small files. */
function writeTree(root: string): void {
  const files: Record<string, string> = {
    'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n',
    'etc/hosts': '127.0.0.1 localhost\n',
    'var/log/app.log': 'started\n',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** What each child needs: its share of the fleet and agent.json as the server wrote it. */
function writeSpec(
  dir: string,
  agentsDir: string,
  server: BenchServer,
  plan: FleetPlan,
  child: number,
  count: number,
): string {
  const agentJson: unknown = JSON.parse(readFileSync(server.agentConfigPath, 'utf8'));
  if (typeof agentJson !== 'object' || agentJson === null)
    throw new Error(`${server.agentConfigPath}: not a JSON object`);
  const config = { ...agentJson, root: join(dir, 'root'), heartbeatMs: HEARTBEAT_MS };
  const prefix = `fanout-${plan.kind}-c${child}`;
  const spec =
    plan.kind === 'real'
      ? { count, prefix, dir: agentsDir, config }
      : { count, prefix, config, verify: plan.verify, signAnswers: SIGN_ANSWERS };
  const path = join(dir, `child-${child}.json`);
  // It holds the enrollment secret: owner-only, like agent.json.
  writeFileSync(path, JSON.stringify(spec), { mode: 0o600 });
  return path;
}

/** Each simulated agent enrolls once (auto-accepted) before any of them logs in. */
async function enrollPhase(children: AgentChild[], serverCpuMs: () => number): Promise<EnrollPhase> {
  const start = performance.now();
  const cpuStart = serverCpuMs();
  const enrolled = await Promise.all(children.map((c) => c.ask('enroll', 'enrolled', CONNECT_TIMEOUT_MS)));
  const ms = performance.now() - start;
  const cpuMs = serverCpuMs() - cpuStart;
  return { ms, cpuMs, children: enrolled, load: loadavg()[0] ?? Number.NaN };
}

/**
 * Runs `use` with `size` agents online. Children, server and temp dir are always taken down,
 * in that order (agents first, so their goodbyes reach a live broker).
 */
export async function withFleet<T>(plan: FleetPlan, use: (fleet: Fleet) => Promise<T>): Promise<T> {
  const { size } = plan;
  const dir = mkdtempSync(join(tmpdir(), 'mig-fanout-bench-'));
  const agentsBase = agentsBaseDir();
  let agentsDir: string | undefined;
  const children: AgentChild[] = [];
  let server: BenchServer | undefined;
  try {
    agentsDir = mkdtempSync(join(agentsBase.dir, 'mig-fanout-agents-'));
    writeTree(join(dir, 'root'));
    const rssBeforeServerMB = process.memoryUsage().rss / 1e6;
    server = plan.server === 'own-process' ? await ownProcessServer(dir) : await inProcessServer(dir);
    const rssBeforeMB = server.process?.memory().rssMB ?? rssBeforeServerMB;
    const serverProcess = server.process;
    const serverCpuMs = serverProcess === undefined ? thisProcessCpuMs : () => serverProcess.cpuMs();
    const client = await aliceClient(server.httpUrl);
    for (let c = 0; c < CHILDREN; c++) {
      const count = Math.floor(size / CHILDREN) + (c < size % CHILDREN ? 1 : 0);
      children.push(AgentChild.start(`agents-${c}`, writeSpec(dir, agentsDir, server, plan, c, count), plan.kind));
    }
    await Promise.all(children.map((c) => c.loaded()));
    const enroll = plan.kind === 'sim' ? await enrollPhase(children, serverCpuMs) : undefined;
    const start = performance.now();
    const cpuStart = serverCpuMs();
    const ready = await Promise.all(children.map((c) => c.ask('start', 'ready', CONNECT_TIMEOUT_MS)));
    await waitOnline(client, size, CONNECT_TIMEOUT_MS);
    const connectMs = performance.now() - start;
    const connectCpuMs = serverCpuMs() - cpuStart;
    const rssConnectedMB = server.process?.memory().rssMB ?? process.memoryUsage().rss / 1e6;
    const running = server;
    const loadConnected = loadavg()[0] ?? Number.NaN;
    return await use({
      ...plan,
      ...(enroll === undefined ? {} : { enroll }),
      client,
      children,
      connectMs,
      childConnectMs: ready.map((r) => r.connectMs),
      ready,
      connectCpuMs,
      rssBeforeMB,
      rssConnectedMB,
      loadConnected,
      agentsOnTmpfs: agentsBase.isTmpfs,
      signAnswers: plan.kind === 'real' || SIGN_ANSWERS,
      heartbeats: () => running.heartbeatCounts(),
      serverCpuMs,
      ...(running.process === undefined ? {} : { serverProcess: running.process }),
    });
  } finally {
    try {
      await Promise.allSettled(children.map((c) => c.stop()));
      await server?.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (agentsDir !== undefined) rmSync(agentsDir, { recursive: true, force: true });
    }
  }
}

function thisProcessCpuMs(): number {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000;
}

function inProcessServer(dir: string): Promise<RunningServer> {
  // This process stands in for `mig server`: V8 paced as that command paces it (broker/v8-tuning.ts).
  tuneV8ForServer();
  // Alike on purpose (duplicates): startServer options: the bench's (its SSE timing) and
  // bench/fanout-sim-agent.test.ts's (auto-accept) share only the fields every in-process server needs.
  return startServer({
    dataDir: join(dir, 'server'),
    httpPort: 0,
    mqttPort: 0,
    bootstrapAdmin: { name: 'alice', publicKey: armoredPublicKey('alice') },
    sseTiming: SSE_TIMING,
    ...ENROLLMENT,
  });
}

/** `mig server` with the same enrollment settings (its event stream keeps the default 50 ms batches: no rounds are timed). */
async function ownProcessServer(dir: string): Promise<BenchServer> {
  const running = await spawnServerProcess(dir, ENROLLMENT);
  return {
    httpUrl: running.httpUrl,
    agentConfigPath: running.agentConfigPath,
    heartbeatCounts: () => ({ unchanged: Number.NaN, parsed: Number.NaN }),
    close: () => running.close(),
    process: running,
  };
}
