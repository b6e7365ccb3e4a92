import { isIP } from 'node:net';
import { parseDuration, type SnifferParams } from './params.js';

/**
 * What tcpdump is asked to do, built only from parameters the schema checked: addresses that
 * parse as IPs, integer ports, protocol and direction from enums, a kernel interface name. No
 * text reaches tcpdump's argv unvalidated; the filter is re-checked token by token below anyway,
 * so a schema change that let other text through fails here instead of reaching the capture.
 */

/**
 * Bytes kept of each packet: the link header (14 Ethernet, 16 or 20 Linux cooked), the IP header
 * (20 IPv4, 40 IPv6) and the four port bytes of TCP or UDP fit, and little or no payload does.
 * The payload that may still be in those bytes is never read: the parser stops at the ports.
 */
export const SNAPLEN = 64;

/** The capture filter (pcap-filter(7)): only IP traffic, narrowed by every given parameter. */
export function captureFilter(p: SnifferParams): string {
  const parts = ['(ip or ip6)'];
  if (p.hosts !== undefined) parts.push(anyOf(p.hosts.map((h) => `host ${literalIp(h)}`)));
  if (p.ports !== undefined) parts.push(anyOf(p.ports.map((port) => `port ${portNumber(port)}`)));
  if (p.proto === 'tcp') parts.push('tcp');
  else if (p.proto === 'udp') parts.push('udp');
  else if (p.proto === 'icmp') parts.push('(icmp or icmp6)');
  return parts.join(' and ');
}

function anyOf(terms: readonly string[]): string {
  return terms.length === 1 ? (terms[0] ?? '') : `(${terms.join(' or ')})`;
}

function literalIp(text: string): string {
  if (isIP(text) === 0 || !/^[0-9A-Fa-f.:]+$/.test(text)) throw new Error(`not an IP address: ${JSON.stringify(text)}`);
  return text;
}

function portNumber(port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a port: ${port}`);
  return String(port);
}

const DIRECTION_FLAG = { in: 'in', out: 'out', any: 'inout' } as const;

/**
 * tcpdump's argv: pcap on stdout (-w -), each packet written as it comes (-U, immediate mode),
 * a small snapshot length, no name lookups, and -p so the interface is NOT put in promiscuous
 * mode (the answer is about this host's traffic, and a promiscuous interface is what the nic
 * module reports as a sniffer's sign). -c stops at the asked count.
 */
export function tcpdumpArgs(p: SnifferParams): string[] {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(p.iface)) throw new Error(`not an interface name: ${p.iface}`);
  const args = ['-i', p.iface, '-p', '-n', '-U', '--immediate-mode', '-s', String(SNAPLEN), '-w', '-'];
  args.push('-Q', DIRECTION_FLAG[p.direction]);
  if (p.count !== undefined) args.push('-c', String(p.count));
  args.push(captureFilter(p));
  return args;
}

/** The listening time in ms (the schema bounded it). */
export function durationMs(p: SnifferParams): number {
  return parseDuration(p.duration) ?? 30_000;
}
