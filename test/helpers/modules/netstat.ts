import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addEntries, fixtureRoot, removeTree } from './search-tree.js';
import { collectRows, recordingContext, type Recording } from './recording.js';
import { parseIp } from '../../../modules/netstat/ip.js';
import { netstatParams } from '../../../modules/netstat/params.js';
import { runNetstat, type NetstatRow } from '../../../modules/netstat/run.js';

/**
 * Test and benchmark support: /proc/net lines in the kernel's own layout, fixture roots with
 * processes holding sockets, and a run of the module over them.
 */

export const FIXTURES = fileURLToPath(new URL('../../../modules/netstat/fixtures', import.meta.url));

export const HEADERS = {
  tcp: '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  udp: '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
  tcp6: '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  udp6: '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
} as const;

export interface SocketSpec {
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  state: number;
  uid?: number;
  inode?: number;
}

const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');

/** An address as the kernel prints it: each 32-bit word in native (little-endian) order, %08X. */
export function procHex(text: string): string {
  const address = parseIp(text);
  if (address === undefined) throw new Error(`not an address: ${text}`);
  const swap = (w: number): number =>
    (((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24)) >>> 0;
  return address.words.map((w) => hex(swap(w), 8)).join('');
}

/** One line as tcp4_seq_show / tcp6 / udp print it (tcp4 pads to 149 columns, udp4 to 127). */
export function procLine(table: keyof typeof HEADERS, sl: number, s: SocketSpec): string {
  const isUdp = table.startsWith('udp');
  const head = `${String(sl).padStart(isUdp ? 5 : 4)}: ${procHex(s.local)}:${hex(s.localPort, 4)} ${procHex(s.remote)}:${hex(s.remotePort, 4)} ${hex(s.state, 2)}`;
  const timers = `00000000:00000000 00:00000000 00000000 ${String(s.uid ?? 0).padStart(5)} ${String(0).padStart(8)} ${s.inode ?? 0}`;
  const tail = isUdp ? ' 2 0000000000000000 0' : ' 1 0000000000000000 100 0 0 10 0';
  const line = `${head} ${timers}${tail}`;
  if (table === 'tcp') return line.padEnd(149);
  if (table === 'udp') return line.padEnd(127);
  return line;
}

export function tableText(table: keyof typeof HEADERS, sockets: readonly SocketSpec[]): string {
  return (
    [HEADERS[table].padEnd(table === 'tcp' ? 149 : 0), ...sockets.map((s, i) => procLine(table, i, s))].join('\n') +
    '\n'
  );
}

/**
 * A busy server's /proc/net/tcp: `count` connections, about 1 in 1000 from 127.0.0.1 (the
 * needle benchmarks look for), the rest from 10.x addresses to ports 443 and 22.
 */
export function generateTcpTable(count: number): string {
  // Written directly rather than through procLine: benchmarks build 50,000 lines per run.
  const v4 = (a: number, b: number, c: number, d: number): string =>
    hex(((d << 24) | (c << 16) | (b << 8) | a) >>> 0, 8);
  const local = v4(10, 200, 0, 5);
  const needle = v4(127, 0, 0, 1);
  const lines: string[] = [HEADERS.tcp.padEnd(149)];
  for (let i = 0; i < count; i++) {
    const remote = i % 1000 === 7 ? needle : v4(10, (i >> 16) & 255, (i >> 8) & 255, i & 255);
    const head = `${String(i).padStart(4)}: ${local}:${i % 3 === 0 ? '0016' : '01BB'} ${remote}:${hex(1024 + (i % 60_000), 4)} ${i % 5 === 0 ? '06' : '01'}`;
    lines.push(
      `${head} 00000000:00000000 00:00000000 00000000    33        0 ${100_000 + i} 1 0000000000000000 100 0 0 10 0`.padEnd(
        149,
      ),
    );
  }
  return lines.join('\n') + '\n';
}

export interface Holder {
  pid: number;
  comm: string;
  inodes: number[];
}

/**
 * A copy of the committed fixtures in a tmpdir (the ctx.root), plus processes holding sockets:
 * /proc/<pid>/fd/<n> → socket:[inode] and /proc/<pid>/comm, built at test time because git
 * and packagers mangle symlinks.
 */
export function makeRoot(holders: readonly Holder[] = [], files: Readonly<Record<string, string>> = {}): string {
  const root = fixtureRoot('mig-netstat-', FIXTURES);
  for (const holder of holders) {
    const fdDir = join(root, 'proc', String(holder.pid), 'fd');
    mkdirSync(fdDir, { recursive: true });
    writeFileSync(join(root, 'proc', String(holder.pid), 'comm'), `${holder.comm}\n`);
    symlinkSync('/dev/null', join(fdDir, '0'));
    holder.inodes.forEach((inode, i) => symlinkSync(`socket:[${inode}]`, join(fdDir, String(i + 3))));
  }
  return addEntries(root, files);
}

export { removeTree as removeRoot };

/** The shared recording context, under the name bench/netstat.ts imports. */
export { recordingContext as recorder };

/** Parses `params` as the agent does and runs the module to the end. */
export function runNetstatOnce(params: unknown, rec: Recording): Promise<NetstatRow[]> {
  return collectRows(runNetstat, netstatParams, params, rec);
}
