// The fan-out benchmark's server in its own process, as a user runs it: `node bin/mig.js server`
// (compiled dist/ when it is fresh, tsx otherwise), so its memory is the server's alone. The
// in-process rows also hold tsx, the bench harness and its API client (~40 MB of the RSS row).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { distIsFresh } from '../bin/dist-state.js';
import { armoredPublicKey } from '../test/helpers/keys.js';

const MIG = fileURLToPath(new URL('../bin/mig.js', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
// Alike on purpose (duplicates): named limits, then the interfaces they bound, as console/cli/follow.ts and
// modules/memory/matcher.ts lay theirs out; nothing but the layout is shared.
/** From spawn to "mig server is running": tsx compiling the sources on a loaded machine takes a while. */
const START_TIMEOUT_MS = 120_000;
/** SIGTERM closes every session cleanly; past this the process is killed. */
const STOP_GRACE_MS = 30_000;
const STDERR_TAIL_CHARS = 4000;

/** What the server's own process holds, from /proc/PID/status (kernel figures, not V8's). */
export interface ProcessMemory {
  /** Resident now (VmRSS). */
  rssMB: number;
  /** Highest resident so far (VmHWM): the connect storm's peak. */
  hwmMB: number;
}

export interface ServerProcess {
  pid: number;
  /** Base URL of the API, `/api/v1` included (as startServer's httpUrl). */
  httpUrl: string;
  agentConfigPath: string;
  /** Ran the compiled dist/ (false: sources through tsx, as bin/mig.js does when dist/ is stale). */
  fromDist: boolean;
  /** Node options the server was started with (MIG_BENCH_FANOUT_SERVER_NODE_OPTIONS), '' for none. */
  nodeOptions: string;
  memory(): ProcessMemory;
  /** CPU the process used so far (user + system, ms), from /proc/PID/stat. */
  cpuMs(): number;
  close(): Promise<void>;
}

/** The enrollment settings the in-process bench server gets, as `mig server` flags. */
export interface EnrollmentFlags {
  autoAccept: boolean;
  enrollRate: { burst: number; perSecond: number };
  maxPendingEnrollments: number;
}

/**
 * Starts `mig server` on free ports with alice (test key) as bootstrap admin, in `dir`.
 * `MIG_BENCH_FANOUT_SERVER_NODE_OPTIONS` passes node flags to it (e.g. `--max-semi-space-size=2`),
 * for A/B runs of V8 settings without editing bin/.
 */
export async function spawnServerProcess(dir: string, enrollment: EnrollmentFlags): Promise<ServerProcess> {
  const adminKey = join(dir, 'alice.pub.asc');
  writeFileSync(adminKey, armoredPublicKey('alice'));
  const nodeOptions = process.env.MIG_BENCH_FANOUT_SERVER_NODE_OPTIONS ?? '';
  const args = [
    ...nodeOptions.split(/\s+/).filter((a) => a !== ''),
    MIG,
    'server',
    '--data-dir',
    join(dir, 'server'),
    '--http-port',
    '0',
    '--mqtt-port',
    '0',
    '--admin-key',
    adminKey,
    '--admin-name',
    'alice',
    ...(enrollment.autoAccept ? ['--auto-accept'] : []),
    '--max-pending',
    String(enrollment.maxPendingEnrollments),
    '--enroll-burst',
    String(enrollment.enrollRate.burst),
    '--enroll-per-second',
    String(enrollment.enrollRate.perSecond),
  ];
  const fromDist = distIsFresh();
  // MIG_HOME in the temp dir: the server reads nothing of the user's ~/.mig.
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, MIG_HOME: join(dir, 'mig-home') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const tail = (): string => (stderr.trim() === '' ? '' : `; its stderr ends with:\n${stderr.trim()}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const { httpUrl, agentConfigPath } = await startupLines(child, tail);
    const pid = child.pid;
    if (pid === undefined) throw new Error('mig server: no pid');
    return {
      pid,
      httpUrl,
      agentConfigPath,
      fromDist,
      nodeOptions,
      memory: () => processMemory(pid),
      cpuMs: () => processCpuMs(pid),
      close: () => stop(child, exited),
    };
  } catch (err) {
    await stop(child, exited);
    throw err;
  }
}

/** Reads the lines `mig server` prints once it runs: the API URL and agent.json's path. */
function startupLines(child: ChildProcess, tail: () => string): Promise<{ httpUrl: string; agentConfigPath: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`mig server: not running after ${START_TIMEOUT_MS} ms${tail()}`)),
      START_TIMEOUT_MS,
    );
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`mig server exited (${signal ?? code}) before it ran${tail()}`));
    });
    let httpUrl: string | undefined;
    if (child.stdout === null) return reject(new Error('mig server: no stdout'));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const api = /^\s+api:\s+(\S+)/.exec(line)?.[1];
      if (api !== undefined) httpUrl = api;
      const config = /^\s+agent config:\s+(\S+)/.exec(line)?.[1];
      if (config !== undefined && httpUrl !== undefined) {
        clearTimeout(timer);
        resolve({ httpUrl, agentConfigPath: config });
      }
    });
  });
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** VmRSS and VmHWM of a process (kB in the file). Also right for this process: pass process.pid. */
export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string): number => {
    const value = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
    if (value === undefined) throw new Error(`/proc/${pid}/status: no ${field} line`);
    return Number(value);
  };
  return { rssMB: (kB('VmRSS') * 1024) / 1e6, hwmMB: (kB('VmHWM') * 1024) / 1e6 };
}

/** Clock ticks per second of /proc/PID/stat's CPU fields (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / USER_HZ;
}
