import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { addVethPair, which } from '../netns-tools.js';

/**
 * Test-only: private network namespaces, so tests run the real nft and iptables without touching
 * the host's firewall. Creating one needs root (CAP_SYS_ADMIN + CAP_NET_ADMIN); `netnsSkipReason`
 * says why not when it cannot.
 */
const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./netns-child.ts', import.meta.url));
const LISTEN = fileURLToPath(new URL('./tcp-listen.mjs', import.meta.url));
const PROBE = fileURLToPath(new URL('./tcp-probe.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../../../..', import.meta.url));

/** Undefined when namespaces, nft and iptables all work here; otherwise the reason to skip. */
export function netnsSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux-only';
  const missing = ['ip', 'nft', 'iptables', 'ip6tables', 'iptables-restore'].filter((t) => !which(t));
  if (missing.length > 0) return `${missing.join(', ')} not installed (Debian packages iproute2 nftables iptables)`;
  const name = `mig-probe-${randomBytes(4).toString('hex')}`;
  try {
    execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'exec', name, 'nft', 'list', 'tables'], { stdio: 'pipe' });
  } catch (err) {
    return `cannot create a network namespace with a working nft (${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}): needs root, not an unprivileged container`;
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    } catch {
      // it was never created
    }
  }
  return undefined;
}

export class Netns {
  readonly name = `mig-test-${randomBytes(4).toString('hex')}`;
  private readonly servers: ChildProcess[] = [];

  static async create(): Promise<Netns> {
    const ns = new Netns();
    await run('ip', ['netns', 'add', ns.name]);
    await ns.exec('ip', ['link', 'set', 'lo', 'up']);
    return ns;
  }

  async exec(command: string, args: readonly string[]): Promise<string> {
    const { stdout } = await run('ip', ['netns', 'exec', this.name, command, ...args]);
    return stdout;
  }

  /** Runs the firewall module in this namespace (see netns-child.ts). */
  async firewall(
    params: unknown,
    now?: Date,
  ): Promise<{
    rows: Record<string, unknown>[];
    warnings: string[];
    journal: unknown[];
    error?: { code?: string; message: string };
  }> {
    const args = [
      'netns',
      'exec',
      this.name,
      process.execPath,
      '--import',
      'tsx',
      CHILD,
      JSON.stringify(params),
      ...(now === undefined ? [] : [now.toISOString()]),
    ];
    const { stdout } = await run('ip', args, { cwd: REPO });
    return JSON.parse(stdout) as Awaited<ReturnType<Netns['firewall']>>;
  }

  /** TCP servers on `host` at each port in this namespace (see tcp-listen.mjs), killed by destroy(). */
  async listen(host: string, ports: readonly number[]): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', this.name, process.execPath, LISTEN, host, ...ports.map(String)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.servers.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`tcp-listen exited with ${code}`)));
    });
  }

  /** One TCP connection attempt from this namespace: open, refused or blocked (see tcp-probe.mjs). */
  async probe(host: string, port: number): Promise<string> {
    return (await this.exec(process.execPath, [PROBE, host, String(port), '1500'])).trim();
  }

  /** A veth pair between this namespace and `peer`, addressed 10.201.0.1/24 here and 10.201.0.2/24 there. */
  async link(peer: Netns): Promise<{ here: string; there: string }> {
    const [mine, theirs] = await addVethPair(this.name, peer.name, 'mg');
    for (const [ns, dev, addr] of [
      [this, mine, '10.201.0.1/24'],
      [peer, theirs, '10.201.0.2/24'],
    ] as const) {
      await ns.exec('ip', ['addr', 'add', addr, 'dev', dev]);
      await ns.exec('ip', ['link', 'set', dev, 'up']);
    }
    return { here: '10.201.0.1', there: '10.201.0.2' };
  }

  async destroy(): Promise<void> {
    for (const child of this.servers) child.kill('SIGKILL');
    await run('ip', ['netns', 'del', this.name]);
  }
}
