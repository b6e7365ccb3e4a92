import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { addVethPair, which } from '../netns-tools.js';
import type { OperationResult } from '../../../../protocol/messages.js';

/**
 * Test-only: two throwaway network namespaces joined by a veth pair (10.202.0.1 and fd00:202::1
 * "endpoint", 10.202.0.2 and fd00:202::2 "peer"), the sniffer run inside the endpoint one (netns-child.ts), and traffic
 * sent from either side (traffic.mjs). Nothing is captured or changed on the host's own
 * interfaces. Needs root, ip and tcpdump; `sniffNetnsSkipReason` says why not when it cannot.
 */
const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./netns-child.ts', import.meta.url));
const TRAFFIC = fileURLToPath(new URL('./traffic.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../../../..', import.meta.url));

export const ENDPOINT_IP = '10.202.0.1';
export const PEER_IP = '10.202.0.2';
export const ENDPOINT_IP6 = 'fd00:202::1';
export const PEER_IP6 = 'fd00:202::2';

export function sniffNetnsSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux-only';
  if (!which('ip')) return 'ip not installed (Debian package iproute2)';
  if (!which('tcpdump')) return 'tcpdump not installed (Debian package tcpdump)';
  const name = `mig-probe-${randomBytes(4).toString('hex')}`;
  try {
    execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
  } catch (err) {
    return `cannot create a network namespace (${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}): needs root`;
  }
  execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  return undefined;
}

export type SniffOutcome = OperationResult & { thrown?: { code?: string; message: string } };

export class SniffPair {
  readonly endpoint = `mig-sniff-${randomBytes(4).toString('hex')}`;
  readonly peer = `mig-peer-${randomBytes(4).toString('hex')}`;
  private readonly children: ChildProcess[] = [];

  static async create(): Promise<SniffPair> {
    const pair = new SniffPair();
    for (const ns of [pair.endpoint, pair.peer]) {
      await run('ip', ['netns', 'add', ns]);
      await run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    }
    const [mine, theirs] = await addVethPair(pair.endpoint, pair.peer, 'ms');
    for (const [ns, dev, addr, addr6] of [
      [pair.endpoint, mine, `${ENDPOINT_IP}/24`, `${ENDPOINT_IP6}/64`],
      [pair.peer, theirs, `${PEER_IP}/24`, `${PEER_IP6}/64`],
    ] as const) {
      await run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', addr, 'dev', dev]);
      // nodad: usable at once, without waiting for duplicate address detection.
      await run('ip', ['netns', 'exec', ns, 'ip', '-6', 'addr', 'add', addr6, 'dev', dev, 'nodad']);
      await run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', dev, 'up']);
    }
    return pair;
  }

  /**
   * Starts the sniffer in the endpoint namespace; resolves `listening` once tcpdump said it
   * listens (so traffic sent after it is seen), and `result` with what the runner answered.
   */
  sniff(
    params: unknown,
    options: Record<string, unknown> = {},
  ): { listening: Promise<void>; result: Promise<SniffOutcome> } {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.endpoint,
        process.execPath,
        '--import',
        'tsx',
        CHILD,
        JSON.stringify(params),
        JSON.stringify(options),
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    const listening = new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (t: string) => {
        stderr += t;
        if (stderr.includes('listening on')) resolve();
      });
      child.once('close', () => reject(new Error(`sniffer child ended before listening: ${stderr}${stdout}`)));
    });
    listening.catch(() => undefined);
    const result = new Promise<SniffOutcome>((resolve, reject) => {
      child.once('close', () => {
        try {
          resolve(JSON.parse(stdout) as SniffOutcome);
        } catch {
          reject(new Error(`sniffer child printed no result: ${stderr}${stdout}`));
        }
      });
    });
    return { listening, result };
  }

  /** Runs traffic.mjs in a namespace (`from`: 'endpoint' or 'peer') and waits for it to finish. */
  async send(from: 'endpoint' | 'peer', args: readonly string[]): Promise<void> {
    await run('ip', [
      'netns',
      'exec',
      from === 'endpoint' ? this.endpoint : this.peer,
      process.execPath,
      TRAFFIC,
      ...args,
    ]);
  }

  /** A TCP server in the peer namespace, reading what it is sent; killed by destroy(). */
  async listenTcp(port: number): Promise<void> {
    const child = spawn(
      'ip',
      ['netns', 'exec', this.peer, process.execPath, TRAFFIC, 'listen-tcp', PEER_IP, String(port)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`listen-tcp exited with ${code}`)));
    });
  }

  /** Pids of the processes running in the endpoint namespace (a capture left behind would be one). */
  async endpointPids(): Promise<string[]> {
    const { stdout } = await run('ip', ['netns', 'pids', this.endpoint]);
    return stdout.split('\n').filter((p) => /^\d+$/.test(p));
  }

  async destroy(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const ns of [this.endpoint, this.peer]) {
      // Whatever still runs in our own throwaway namespace (a tcpdump left by a failed test): by pid.
      const { stdout } = await run('ip', ['netns', 'pids', ns]).catch(() => ({ stdout: '' }));
      for (const pid of stdout.split('\n').filter((p) => /^\d+$/.test(p))) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    }
  }
}
