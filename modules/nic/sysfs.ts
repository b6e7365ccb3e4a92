import { open, readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * Interface state as the kernel shows it in /sys/class/net/<if>/ and /proc/net/dev, read under
 * the module's root. Readers never throw on an unreadable attribute: they return what they could
 * read plus the problems met, and the caller decides what is worth a warning.
 */

/** dev->flags bits (include/uapi/linux/if.h): the sysfs `flags` file prints dev->flags in hex. */
export const IFF_UP = 0x1;
export const IFF_PROMISC = 0x100;

/** The kernel caps interface names at 15 bytes; anything else in a root is not an interface. */
const IFACE = /^[^\s/:]{1,15}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5,19}$/i;
const ZERO_MAC = /^(00:)+00$/;
/** sysfs attributes are a line of text; more than this is not a kernel attribute. */
const MAX_ATTRIBUTE_BYTES = 4096;

/** ARPHRD_* (include/uapi/linux/if_arp.h) for the kinds an investigator meets; others print as a number. */
const LINK_TYPES: Readonly<Record<number, string>> = {
  1: 'ether',
  24: 'ieee1394',
  32: 'infiniband',
  512: 'ppp',
  768: 'ipip',
  769: 'tunnel6',
  772: 'loopback',
  776: 'sit',
  778: 'gre',
  823: 'ip6gre',
  801: 'ieee80211',
  803: 'ieee80211-radiotap',
  65534: 'none',
};

export interface Counters {
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

export interface Interface {
  name: string;
  flags: number;
  operstate?: string;
  carrier?: boolean;
  mtu?: number;
  /** Mb/s; absent when the link reports none (down, virtual: the kernel answers EINVAL or -1). */
  speed?: number;
  mac?: string;
  type?: string;
  driver?: string;
}

export interface Read<T> {
  items: T[];
  problems: string[];
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

/** Errors that mean "this interface has no such attribute" rather than "we could not look". */
const ABSENT = new Set(['ENOENT', 'EINVAL', 'ENODEV', 'EOPNOTSUPP', 'ENOTDIR']);

/**
 * At most `cap` bytes of a file, read until end of file (proc files may answer a page per read):
 * a huge file planted under the root costs nothing.
 */
async function readBounded(path: string, cap: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(cap);
    let length = 0;
    while (length < cap) {
      const { bytesRead } = await handle.read(buffer, length, cap - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length).toString('latin1');
  } finally {
    await handle.close();
  }
}

async function readAttribute(path: string): Promise<string> {
  return (await readBounded(path, MAX_ATTRIBUTE_BYTES)).trim();
}

function parseDecimal(text: string): number | undefined {
  return /^-?\d{1,12}$/.test(text) ? Number(text) : undefined;
}

export async function listInterfaces(root: string): Promise<Read<string>> {
  try {
    const names = (await readdir(join(root, 'sys/class/net'))).filter((n) => IFACE.test(n)).sort();
    return { items: names, problems: [] };
  } catch (err) {
    return { items: [], problems: [`cannot read /sys/class/net: ${errorCode(err)}`] };
  }
}

/** One interface; undefined (with a problem) when its flags cannot be read, since flags are what most questions ask about. */
export async function readInterface(root: string, name: string, problems: string[]): Promise<Interface | undefined> {
  const dir = join(root, 'sys/class/net', name);
  const attribute = async (file: string): Promise<string | undefined> => {
    try {
      return await readAttribute(join(dir, file));
    } catch (err) {
      if (!ABSENT.has(errorCode(err))) problems.push(`cannot read /sys/class/net/${name}/${file}: ${errorCode(err)}`);
      return undefined;
    }
  };
  const flagsText = await attribute('flags');
  const flags = flagsText !== undefined && /^0x[0-9a-f]{1,8}$/i.test(flagsText) ? parseInt(flagsText, 16) : undefined;
  if (flags === undefined) {
    problems.push(
      `/sys/class/net/${name}/flags: ${flagsText === undefined ? 'missing' : `not a hex flag word (${JSON.stringify(flagsText.slice(0, 40))})`}; interface skipped`,
    );
    return undefined;
  }
  const iface: Interface = { name, flags };
  const operstate = await attribute('operstate');
  if (operstate !== undefined && /^[a-z]{1,16}$/.test(operstate)) iface.operstate = operstate;
  const carrier = await attribute('carrier');
  if (carrier === '0' || carrier === '1') iface.carrier = carrier === '1';
  const mtu = parseDecimal((await attribute('mtu')) ?? '');
  if (mtu !== undefined && mtu >= 0) iface.mtu = mtu;
  const speed = parseDecimal((await attribute('speed')) ?? '');
  if (speed !== undefined && speed >= 0) iface.speed = speed;
  const mac = (await attribute('address'))?.toLowerCase();
  // Loopback and tunnels have an all-zero or no hardware address: not a MAC to report.
  if (mac !== undefined && MAC.test(mac) && !ZERO_MAC.test(mac)) iface.mac = mac;
  const type = parseDecimal((await attribute('type')) ?? '');
  if (type !== undefined) iface.type = LINK_TYPES[type] ?? `arphrd-${type}`;
  const driver = await readDriver(dir);
  if (driver !== undefined) iface.driver = driver;
  return iface;
}

/** The basename of the device/driver link, read as a link and never followed (it points outside the root's net tree). */
async function readDriver(dir: string): Promise<string | undefined> {
  try {
    const name = basename(await readlink(join(dir, 'device/driver')));
    return /^[\w.-]{1,64}$/.test(name) ? name : undefined;
  } catch {
    // Virtual interfaces (lo, bridges, veth, tun) have no device: no driver to report.
    return undefined;
  }
}

/**
 * /proc/net/dev: two header lines, then `name: rx_bytes rx_packets errs drop fifo frame
 * compressed multicast tx_bytes tx_packets ...`. Old kernels glued large counters to the colon.
 */
export function parseNetDev(text: string): Map<string, Counters> {
  const out = new Map<string, Counters>();
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (!IFACE.test(name) || fields.length < 10 || fields.some((n) => !Number.isSafeInteger(n) || n < 0)) continue;
    const [rxBytes = 0, rxPackets = 0, , , , , , , txBytes = 0, txPackets = 0] = fields;
    out.set(name, { rxBytes, rxPackets, txBytes, txPackets });
  }
  return out;
}

/** Counters are extra: a root without /proc/net/dev gives an empty map, quietly. */
export async function readCounters(root: string, problems: string[]): Promise<Map<string, Counters>> {
  try {
    // One line per interface, ~130 bytes: 1 MiB covers thousands of interfaces.
    return parseNetDev(await readBounded(join(root, 'proc/net/dev'), 1024 * 1024));
  } catch (err) {
    if (!ABSENT.has(errorCode(err))) problems.push(`cannot read /proc/net/dev: ${errorCode(err)}`);
    return new Map();
  }
}
