import { isIP } from 'node:net';
import { z } from 'zod';
import { checked } from '../shared/param-checks.js';

/**
 * The sniffer module's parameters: what traffic to look for (hosts, ports, protocol, direction),
 * where (one interface or all) and for how long (at most 4m30s). Every value ends up in the
 * capture filter handed to tcpdump, so each is checked here to a shape that cannot carry anything
 * else: addresses parse as IPs, ports are integers, protocol and direction come from enums, the
 * interface name is a kernel interface name. Parsed on the investigator's machine and again, by
 * this same schema, on every agent.
 */

export const MAX_HOSTS = 16;
export const MAX_PORTS = 16;
/**
 * At most 4m30s: the issue asks for no more than 5 minutes, and an agent stops any module after
 * its moduleTimeoutMs (5 minutes by default, agent/config.ts), so a capture this long still ends,
 * flushes and answers inside that default.
 */
export const MAX_DURATION_MS = 270_000;
export const MIN_DURATION_MS = 1000;
export const MAX_PACKETS = 10_000_000;
export const PROTOCOLS = ['tcp', 'udp', 'icmp'] as const;
export const DIRECTIONS = ['in', 'out', 'any'] as const;

const DURATION = /^(?:(\d{1,3})m)?(?:(\d{1,3})s)?$/;

/** `30s`, `2m`, `1m30s` → milliseconds; undefined for anything else (no fractions, no hours). */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (m === null || (m[1] === undefined && m[2] === undefined)) return undefined;
  return (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 1000;
}

function durationProblem(text: string): string | undefined {
  const ms = parseDuration(text);
  const shown = JSON.stringify(text.slice(0, 64));
  if (ms === undefined) return `expected a duration like 30s, 2m or 1m30s, got ${shown}`;
  if (ms < MIN_DURATION_MS || ms > MAX_DURATION_MS) return `expected between 1s and 4m30s, got ${shown}`;
  return undefined;
}

/**
 * A literal IPv4 or IPv6 address, nothing else: no zone index (fe80::1%eth0), no CIDR, no host
 * name (tcpdump would resolve it), so the text handed to the filter is an address and only that.
 */
export function hostProblem(text: string): string | undefined {
  const shown = JSON.stringify(text.slice(0, 64));
  if (text.length > 45 || !/^[0-9A-Fa-f.:]+$/.test(text) || isIP(text) === 0)
    return `expected an IPv4 or IPv6 address such as 203.0.113.7 or 2001:db8::7, got ${shown}`;
  return undefined;
}

/** Linux interface names: at most 15 characters (IFNAMSIZ), no slash or space; `any` means all. */
const IFACE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

function ifaceProblem(text: string): string | undefined {
  return IFACE.test(text)
    ? undefined
    : `expected an interface name such as eth0 (letters, digits, _ . -, at most 15) or any, got ${JSON.stringify(text.slice(0, 64))}`;
}

export const snifferParams = z
  .strictObject({
    hosts: z
      .array(checked(hostProblem).describe('An IPv4 or IPv6 address'))
      .min(1)
      .max(MAX_HOSTS)
      .optional()
      .describe('Only packets to or from one of these addresses (IPv4 or IPv6 literals)'),
    ports: z
      .array(z.number().int().min(1).max(65535).describe('A TCP or UDP port'))
      .min(1)
      .max(MAX_PORTS)
      .optional()
      .describe('Only packets whose source or destination port is one of these (TCP or UDP)'),
    proto: z.enum(PROTOCOLS).optional().describe('Only this protocol: tcp, udp, or icmp (ICMP and ICMPv6)'),
    direction: z
      .enum(DIRECTIONS)
      .default('any')
      .describe('Only packets this host receives (in), sends (out), or both (any)'),
    iface: checked(ifaceProblem).default('any').describe('Interface to listen on, or any for all of them'),
    duration: checked(durationProblem).default('30s').describe('How long to listen: 1s to 4m30s, e.g. 30s, 2m, 1m30s'),
    count: z
      .number()
      .int()
      .min(1)
      .max(MAX_PACKETS)
      .optional()
      .describe('Stop as soon as this many matching packets were seen (1: answer "was it seen?" at the first one)'),
  })
  .superRefine((p, ctx) => {
    if (p.proto === 'icmp' && p.ports !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['ports'],
        message: 'ICMP has no ports: drop -port or pick -proto tcp/udp',
      });
  })
  .describe('Which traffic to look for, on which interface, for how long; nothing given: any IP traffic for 30s');

export type SnifferParams = z.output<typeof snifferParams>;
