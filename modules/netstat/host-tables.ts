import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseIp, type IpAddress } from './ip.js';

/**
 * The small tables: interface MACs (/sys/class/net/<if>/address), the ARP table
 * (/proc/net/arp) and the host's own addresses (/proc/net/fib_trie for IPv4,
 * /proc/net/if_inet6 for IPv6), all read under the module's root. Each reader returns what it
 * could read plus the problems it met; none throws on an unreadable file.
 */

export interface Read<T> {
  items: T[];
  problems: string[];
}

export interface LocalMac {
  iface: string;
  mac: string;
}

export interface Neighbour {
  address: IpAddress;
  mac: string;
  iface: string;
}

export interface LocalAddress {
  address: IpAddress;
  iface?: string;
}

/** The kernel caps interface names at 15 bytes; anything else in a fixture root is not ours to report. */
const IFACE = /^[^\s/]{1,15}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5,19}$/i;
const ZERO_MAC = /^(00:)+00$/;
/** ARP flag ATF_COM: the entry is complete. Incomplete entries carry a zero MAC. */
const ATF_COM = 0x2;

function problem(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return `cannot read ${path}: ${code ?? (err instanceof Error ? err.message : String(err))}`;
}

export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

export async function readLocalMacs(root: string): Promise<Read<LocalMac>> {
  const dir = join(root, 'sys/class/net');
  const out: Read<LocalMac> = { items: [], problems: [] };
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => IFACE.test(n)).sort();
  } catch (err) {
    out.problems.push(problem('/sys/class/net', err));
    return out;
  }
  for (const iface of names) {
    try {
      const mac = (await readFile(join(dir, iface, 'address'), 'latin1')).trim().toLowerCase();
      // Loopback and tunnels have no hardware address (Go reports an empty one): not a MAC to match.
      if (MAC.test(mac) && !ZERO_MAC.test(mac)) out.items.push({ iface, mac });
    } catch (err) {
      if (!isMissing(err)) out.problems.push(problem(`/sys/class/net/${iface}/address`, err));
    }
  }
  return out;
}

/** /proc/net/arp: `IP address  HW type  Flags  HW address  Mask  Device`, one header line. */
export function parseArp(text: string): Neighbour[] {
  const out: Neighbour[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [ip = '', , flags = '', mac = '', , iface = ''] = line.trim().split(/\s+/);
    const address = parseIp(ip);
    if (address === undefined || !MAC.test(mac) || !IFACE.test(iface)) continue;
    if ((parseInt(flags, 16) & ATF_COM) === 0) continue;
    out.push({ address, mac: mac.toLowerCase(), iface });
  }
  return out;
}

export async function readNeighbours(root: string): Promise<Read<Neighbour>> {
  try {
    return { items: parseArp(await readFile(join(root, 'proc/net/arp'), 'latin1')), problems: [] };
  } catch (err) {
    return { items: [], problems: [problem('/proc/net/arp', err)] };
  }
}

/**
 * /proc/net/fib_trie lists each local IPv4 address as a leaf followed by `/32 host LOCAL`. It
 * names no interface; the routing table is where the kernel keeps them, not per interface.
 */
export function parseFibTrie(text: string): LocalAddress[] {
  const seen = new Map<string, IpAddress>();
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    if (!/^\s*\/32 host LOCAL\s*$/.test(lines[i] ?? '')) continue;
    const leaf = /^\s*\|-- (\S+)\s*$/.exec(lines[i - 1] ?? '')?.[1] ?? '';
    const address = parseIp(leaf);
    if (address?.family === 4) seen.set(leaf, address);
  }
  return [...seen.values()].map((address) => ({ address }));
}

/** /proc/net/if_inet6: `<32 hex address> <ifindex> <prefixlen> <scope> <flags> <name>`. */
export function parseIfInet6(text: string): LocalAddress[] {
  const out: LocalAddress[] = [];
  for (const line of text.split('\n')) {
    const [hex = '', , , , , iface = ''] = line.trim().split(/\s+/);
    if (!/^[0-9a-f]{32}$/i.test(hex) || !IFACE.test(iface)) continue;
    const words = [0, 8, 16, 24].map((o) => parseInt(hex.slice(o, o + 8), 16) >>> 0);
    out.push({ address: { family: 6, words }, iface });
  }
  return out;
}

export async function readLocalAddresses(root: string): Promise<Read<LocalAddress>> {
  const out: Read<LocalAddress> = { items: [], problems: [] };
  const sources = [
    { path: 'proc/net/fib_trie', parse: parseFibTrie, isOptional: false },
    // Absent when IPv6 is disabled: nothing to report then.
    { path: 'proc/net/if_inet6', parse: parseIfInet6, isOptional: true },
  ];
  for (const source of sources) {
    try {
      out.items.push(...source.parse(await readFile(join(root, source.path), 'latin1')));
    } catch (err) {
      if (!(source.isOptional && isMissing(err))) out.problems.push(problem(`/${source.path}`, err));
    }
  }
  return out;
}
