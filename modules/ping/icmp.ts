import { spawn } from 'node:child_process';
import { ModuleError } from '../../protocol/errors.js';
import type { Probe } from './probes.js';

/**
 * ICMP echo through the system ping: Node has no raw sockets, and the system ping already holds
 * the capability (or the ping_group_range) that lets an unprivileged agent send echo requests.
 * It runs once with -c count; its replies are read back per sequence number.
 */

export interface IcmpRequest {
  /** A resolved IP address, never a host name: nothing the resolver or ping could read as an option. */
  address: string;
  family: 4 | 6;
  count: number;
  timeoutS: number;
  platform: NodeJS.Platform;
}

export interface Invocation {
  command: string;
  args: string[];
}

/** Output larger than this is not a ping's: stop reading. */
const MAX_OUTPUT_CHARS = 256 * 1024;

export function pingInvocation(req: IcmpRequest): Invocation {
  if (req.platform === 'darwin') {
    // macOS: -W is per-reply wait in milliseconds; IPv6 is a separate command.
    if (req.family === 6) return { command: 'ping6', args: ['-n', '-c', String(req.count), req.address] };
    return {
      command: 'ping',
      args: ['-n', '-c', String(req.count), '-W', String(Math.round(req.timeoutS * 1000)), req.address],
    };
  }
  // iputils and busybox: -W is per-reply wait in whole seconds.
  return {
    command: 'ping',
    args: ['-n', '-c', String(req.count), '-W', String(Math.max(1, Math.ceil(req.timeoutS))), req.address],
  };
}

const REPLY = /\b(icmp_seq|seq)=(\d+)\b.*?\btime[=<]\s*([\d.]+)\s*ms/;

/**
 * Round-trip times by attempt (1-based) from ping's output. iputils numbers from 1; macOS and
 * busybox from 0. Duplicate replies keep the first time.
 */
export function parsePingOutput(output: string, platform: NodeJS.Platform): Map<number, number> {
  const replies = new Map<number, number>();
  for (const line of output.split('\n')) {
    const m = REPLY.exec(line);
    if (m === null) continue;
    const base = platform === 'darwin' || m[1] === 'seq' ? 0 : 1;
    const attempt = Number(m[2]) - base + 1;
    if (!replies.has(attempt)) replies.set(attempt, Number(m[3]));
  }
  return replies;
}

interface Ran {
  stdout: string;
  stderr: string;
  code: number | null;
}

function runPing(invocation: Invocation, budgetMs: number, signal: AbortSignal): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(invocation.command, invocation.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
      timeout: budgetMs,
      env: { ...process.env, LC_ALL: 'C' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_OUTPUT_CHARS) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT_CHARS) stderr += chunk;
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        reject(
          new ModuleError(
            'MODULE_FAILED',
            `ping: icmp needs the system ${invocation.command} command (Node has no raw sockets), and there is none in PATH; probe a port with -p tcp or -p udp instead`,
          ),
        );
      } else reject(err);
    });
    child.once('close', (code) => resolve({ stdout, stderr, code }));
  });
}

/** One Probe per attempt, in order. */
export async function pingIcmp(req: IcmpRequest, signal: AbortSignal): Promise<Probe[]> {
  const invocation = pingInvocation(req);
  // Interval 1 s between echoes, then the last one's wait, plus start-up slack.
  const budgetMs = (req.count + req.timeoutS) * 1000 + 2000;
  const ran = await runPing(invocation, budgetMs, signal);
  signal.throwIfAborted();
  const replies = parsePingOutput(ran.stdout, req.platform);
  // iputils: 0 some reply, 1 no reply, 2 (or a signal) it could not ping at all.
  const failure =
    replies.size === 0 && ran.code !== 0 && ran.code !== 1
      ? firstLine(ran.stderr) || `${invocation.command} exited with ${String(ran.code)}`
      : undefined;
  const probes: Probe[] = [];
  for (let attempt = 1; attempt <= req.count; attempt++) {
    const rtt = replies.get(attempt);
    if (rtt !== undefined) probes.push({ outcome: 'reply', isReachable: true, latencyMs: rtt });
    else if (failure !== undefined) probes.push({ outcome: 'error', isReachable: false, error: failure });
    else probes.push({ outcome: 'timeout', isReachable: false });
  }
  return probes;
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 200);
}
