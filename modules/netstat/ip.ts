import { BugError } from '../../protocol/errors.js';
import { ipv6GroupsText } from '../shared/ipv6-text.js';

/**
 * IP addresses and CIDRs without node:net, so the spec can validate with it anywhere. An address
 * is four 32-bit words in network order (IPv4 uses word 0 only); IPv4 and IPv6 stay apart, with
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) matching IPv4 networks as Go's IPNet.Contains does.
 */

export type Family = 4 | 6;

export interface IpAddress {
  family: Family;
  /** Unsigned 32-bit words, network order: [w] for IPv4, [w0, w1, w2, w3] for IPv6. */
  words: readonly number[];
}

export interface IpNet extends IpAddress {
  prefix: number;
  /** Per-word masks matching `words` (already masked). */
  masks: readonly number[];
}

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let word = 0;
  for (const part of parts) {
    // Leading zeros are refused (Go does too): 010 reads as octal in some tools, decimal in others.
    if (!IPV4_PART.test(part)) return undefined;
    word = word * 256 + Number(part);
  }
  return word;
}

/** IPv6 text (with optional :: and dotted IPv4 tail, no zone) → eight 16-bit groups. */
function parseIpv6Groups(text: string): number[] | undefined {
  if (text.length > 45 || text.includes('%')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (half: string, isLast: boolean): number[] | undefined => {
    if (half === '') return [];
    const groups: number[] = [];
    const pieces = half.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (isLast && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        groups.push(v4 >>> 16, v4 & 0xffff);
      } else if (IPV6_GROUP.test(piece)) groups.push(parseInt(piece, 16));
      else return undefined;
    }
    return groups;
  };
  const head = parse(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? parse(halves[1] ?? '', true) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : undefined;
}

export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, words: [v4] };
  const groups = parseIpv6Groups(text);
  if (groups === undefined) return undefined;
  const words = [0, 1, 2, 3].map((i) => (((groups[2 * i] ?? 0) << 16) | (groups[2 * i + 1] ?? 0)) >>> 0);
  return { family: 6, words };
}

function maskWord(prefix: number, wordIndex: number): number {
  const bits = Math.max(0, Math.min(32, prefix - 32 * wordIndex));
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). Host bits are masked off, as Go's ParseCIDR does. */
export function parseIpNet(text: string): IpNet | undefined {
  const slash = text.indexOf('/');
  const address = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const bitsMax = address.family === 4 ? 32 : 128;
  let prefix = bitsMax;
  if (slash >= 0) {
    const suffix = text.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(suffix) || Number(suffix) > bitsMax) return undefined;
    prefix = Number(suffix);
  }
  const masks = address.words.map((_, i) => maskWord(prefix, i));
  const words = address.words.map((w, i) => (w & (masks[i] ?? 0)) >>> 0);
  return { family: address.family, words, prefix, masks };
}

/** For values the parameter schema already accepted: a failure here is our bug, not the input's. */
export function mustParseIpNet(text: string): IpNet {
  const net = parseIpNet(text);
  if (net === undefined)
    throw new BugError(`${JSON.stringify(text)} passed the parameter schema but is not an IP or CIDR`);
  return net;
}

/** Why `text` is not an IP or CIDR, for the parameter schema; undefined when it is one. */
export function ipNetProblem(text: string): string | undefined {
  if (parseIpNet(text) !== undefined) return undefined;
  return `expected an IPv4 or IPv6 address or CIDR (10.0.0.0/8, 2001:db8::/32), got ${JSON.stringify(text.slice(0, 100))}`;
}

const MAPPED_PREFIX = 0x0000ffff;

/** Go's IPNet.Contains: same family, or an IPv4 network and an IPv4-mapped IPv6 address. */
export function netContains(net: IpNet, address: IpAddress): boolean {
  let words = address.words;
  if (net.family === 4 && address.family === 6) {
    if (words[0] !== 0 || words[1] !== 0 || words[2] !== MAPPED_PREFIX) return false;
    words = [words[3] ?? 0];
  } else if (net.family !== address.family) return false;
  return net.words.every((w, i) => ((words[i] ?? 0) & (net.masks[i] ?? 0)) >>> 0 === w);
}

export function formatIpv4(word: number): string {
  return `${word >>> 24}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.${word & 255}`;
}

/** RFC 5952 (modules/shared/ipv6-text.ts), an IPv4-mapped address in its mixed form ::ffff:a.b.c.d. */
export function formatIpv6(words: readonly number[]): string {
  if (words[0] === 0 && words[1] === 0 && words[2] === MAPPED_PREFIX) return `::ffff:${formatIpv4(words[3] ?? 0)}`;
  return ipv6GroupsText(words.flatMap((w) => [w >>> 16, w & 0xffff]));
}

export function formatIp(address: IpAddress): string {
  return address.family === 4 ? formatIpv4(address.words[0] ?? 0) : formatIpv6(address.words);
}
