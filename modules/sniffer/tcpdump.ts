import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { ModuleError } from '../../protocol/errors.js';

/**
 * tcpdump as a child process: found at a fixed absolute path (never through PATH), started with
 * an argv built from checked parameters, stopped after the listening time (SIGTERM, so it flushes
 * what it captured), killed at once on abort. Its pcap output goes to a callback chunk by chunk;
 * its stderr is kept bounded and turned into a clear error when capture is impossible.
 */

export const TCPDUMP_PATHS: readonly string[] = [
  '/usr/bin/tcpdump',
  '/usr/sbin/tcpdump',
  '/bin/tcpdump',
  '/sbin/tcpdump',
];
const STDERR_KEEP = 8 * 1024;
/** After SIGTERM, how long tcpdump gets to flush and exit before SIGKILL. */
const GRACE_MS = 5000;

export interface TcpdumpOptions {
  paths: readonly string[];
  args: readonly string[];
  iface: string;
  durationMs: number;
  signal: AbortSignal;
  onData: (chunk: Uint8Array) => void;
  /** Its "listening on ..." line, once capture has started. */
  onListening: (line: string) => void;
  /** Run as this user and group (tests: an unprivileged user, to see the refusal). */
  uid?: number;
  gid?: number;
}

export interface TcpdumpOutcome {
  /** "N packets dropped by kernel" from its closing report, when it printed one. */
  droppedByKernel?: number;
}

/** coreutils' timeout, a backstop: it ends tcpdump even if the thread that started it is gone. */
export const TIMEOUT_PATHS: readonly string[] = ['/usr/bin/timeout', '/bin/timeout'];
/** How long past the listening time the backstop waits: our own timer stops tcpdump first. */
const BACKSTOP_S = 15;

function firstExecutable(paths: readonly string[]): string | undefined {
  for (const path of paths) {
    try {
      if (!statSync(path).isFile()) continue;
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not there: try the next one
    }
  }
  return undefined;
}

/**
 * tcpdump's command line, under `timeout` when there is one: a worker thread terminated without
 * its abort (the watchdog's remedy) cannot leave a capture running for ever. `timeout` leads its
 * own process group, which an abort kills whole; --preserve-status keeps tcpdump's exit status.
 */
function commandLine(tcpdump: string, args: readonly string[], durationMs: number): [string, string[]] {
  const timeout = firstExecutable(TIMEOUT_PATHS);
  if (timeout === undefined) return [tcpdump, [...args]];
  const limit = `${Math.ceil(durationMs / 1000) + BACKSTOP_S}s`;
  return [timeout, ['--preserve-status', '--kill-after=5s', limit, tcpdump, ...args]];
}

export function findTcpdump(paths: readonly string[]): string {
  const found = firstExecutable(paths);
  if (found !== undefined) return found;
  throw new ModuleError(
    'MODULE_FAILED',
    `sniffer: capture impossible, tcpdump is not installed (looked for ${paths.join(', ')}): install it (Debian/Ubuntu: apt-get install tcpdump)`,
  );
}

/** The error a failed tcpdump start means, in words an investigator can act on. */
export function captureFailure(stderr: string, iface: string, exit: string): ModuleError {
  const said = stderr.trim().split('\n').slice(-3).join(' / ').slice(0, 600);
  if (/permission|not permitted|EPERM|EACCES/i.test(stderr))
    return new ModuleError(
      'MODULE_FAILED',
      `sniffer: capture impossible, no privilege to capture on ${iface} (tcpdump: ${said}): the agent must run as root or with CAP_NET_RAW`,
    );
  if (/no such device|doesn't exist|not found|SIOCGIFHWADDR/i.test(stderr))
    return new ModuleError('MODULE_FAILED', `sniffer: no interface ${iface} on this host (tcpdump: ${said})`);
  return new ModuleError('MODULE_FAILED', `sniffer: tcpdump ${exit} (${said || 'it said nothing'})`);
}

const DROPPED = /(\d+) packets? dropped by kernel/;

/** SIGKILL to the group `timeout` leads (it and tcpdump); without one, `fallback` kills the child alone. */
function killAll(pid: number | undefined, fallback: () => void): void {
  try {
    if (pid === undefined) throw new Error('no pid');
    process.kill(-pid, 'SIGKILL');
  } catch {
    fallback();
  }
}

export function runTcpdump(opts: TcpdumpOptions): Promise<TcpdumpOutcome> {
  const tcpdump = findTcpdump(opts.paths);
  const [command, args] = commandLine(tcpdump, opts.args, opts.durationMs);
  opts.signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C' },
      ...(opts.uid === undefined ? {} : { uid: opts.uid }),
      ...(opts.gid === undefined ? {} : { gid: opts.gid }),
    });
    let stderr = '';
    let isListening = false;
    let isStopping = false;
    let failure: Error | undefined;
    const timers: NodeJS.Timeout[] = [];
    const stop = (): void => {
      if (isStopping) return;
      isStopping = true;
      child.kill('SIGTERM');
      timers.push(setTimeout(() => killAll(child.pid, () => child.kill('SIGKILL')), GRACE_MS));
    };
    const onAbort = (): void => {
      failure = opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
      killAll(child.pid, () => child.kill('SIGKILL'));
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    timers.push(setTimeout(stop, opts.durationMs));
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure !== undefined) return;
      try {
        opts.onData(chunk);
      } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
        killAll(child.pid, () => child.kill('SIGKILL'));
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEEP);
      const line = isListening ? null : /^.*listening on .*$/m.exec(stderr);
      if (line === null) return;
      isListening = true;
      opts.onListening(line[0].replace(/^tcpdump: /, ''));
    });
    child.on('error', (err) => {
      failure ??= new ModuleError('MODULE_FAILED', `sniffer: cannot start ${tcpdump}: ${err.message}`);
    });
    child.on('close', (code, signal) => {
      for (const timer of timers) clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      if (failure !== undefined) return reject(failure);
      // Stopped by us (SIGTERM after the listening time) or done by itself (-c count): both answer.
      const isClean = code === 0 || (isStopping && (signal === 'SIGTERM' || code === 143));
      if (!isClean)
        return reject(
          captureFailure(stderr, opts.iface, signal === null ? `exited with ${code}` : `killed by ${signal}`),
        );
      const dropped = DROPPED.exec(stderr);
      resolve(dropped === null ? {} : { droppedByKernel: Number(dropped[1]) });
    });
  });
}
