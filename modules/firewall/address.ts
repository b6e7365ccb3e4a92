/**
 * IPv4/IPv6 addresses and CIDR blocks as nft and iptables print them, without I/O (the spec
 * validates with it). Canonical forms matter: a rule is found again for removal by comparing
 * its printed form with ours.
 */

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  address: bigint;
  prefix: number;
}

export interface Endpoint {
  family: Family;
  /** Canonical text of the address. */
  address: string;
  port: number;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const bits = (family: Family): number => (family === 4 ? 32 : 128);

function parseV4(text: string): bigint | undefined {
  const m = V4.exec(text);
  if (m === null) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.split('::').length > 2) return undefined;
  const [head = '', tail] = text.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** RFC 5952 text, as inet_ntop (and so nft and ip6tables) prints it. */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** `10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32` → parts, or why not. */
export function parseCidr(text: string): Cidr | string {
  const [addr = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return `expected an address or address/prefix, got ${JSON.stringify(text)}`;
  const v4 = parseV4(addr);
  const family: Family | undefined = v4 !== undefined ? 4 : parseV6(addr) !== undefined ? 6 : undefined;
  if (family === undefined)
    return `expected an IPv4 or IPv6 address or CIDR block like 203.0.113.0/24, got ${JSON.stringify(text.slice(0, 100))}`;
  // Needed (family says parseV6 succeeded); the rule misreads the cast under `??`'s contextual type.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  const address = v4 ?? (parseV6(addr) as bigint);
  const prefix =
    prefixText === undefined ? bits(family) : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits(family)))
    return `expected a prefix length from 0 to ${bits(family)} after the /, got ${JSON.stringify(prefixText)}`;
  return { family, address, prefix };
}

function hostMask(cidr: Cidr): bigint {
  return (1n << BigInt(bits(cidr.family) - cidr.prefix)) - 1n;
}

/** Why `text` cannot be blocked, or undefined. */
export function cidrProblem(text: string): string | undefined {
  const cidr = parseCidr(text);
  if (typeof cidr === 'string') return cidr;
  if (cidr.prefix === 0)
    return 'a /0 block cuts the agent off from its broker too: use -preset quarantine -keep <broker ip:port>';
  if ((cidr.address & hostMask(cidr)) !== 0n) {
    return `host bits are set in ${text}: did you mean ${formatAddress(cidr.family, cidr.address & ~hostMask(cidr))}/${cidr.prefix}?`;
  }
  return undefined;
}

/** The form nft and iptables print: canonical address, and no prefix for a single host. */
export function canonicalCidr(text: string): { family: Family; text: string } {
  const cidr = parseCidr(text);
  if (typeof cidr === 'string') throw new Error(cidr);
  const address = formatAddress(cidr.family, cidr.address);
  return { family: cidr.family, text: cidr.prefix === bits(cidr.family) ? address : `${address}/${cidr.prefix}` };
}

/** `192.0.2.10:4222` or `[2001:db8::1]:4222` → endpoint, or why not. */
export function parseEndpoint(text: string): Endpoint | string {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  if (m === null || host === undefined || !(port >= 1 && port <= 65535)) {
    return `expected an address and port like 192.0.2.10:4222 or [2001:db8::1]:4222, got ${JSON.stringify(text.slice(0, 100))}`;
  }
  const cidr = parseCidr(host);
  if (typeof cidr === 'string' || host.includes('/'))
    return `expected an IP address (not a name: DNS is blocked too) before :${port}, got ${JSON.stringify(host)}`;
  if ((m[1] !== undefined) !== (cidr.family === 6))
    return `expected [brackets] around an IPv6 address and none around IPv4, got ${JSON.stringify(text)}`;
  return { family: cidr.family, address: formatAddress(cidr.family, cidr.address), port };
}
