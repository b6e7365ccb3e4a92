import { z } from 'zod';

/**
 * The ping module's parameters, in MIG's own shape (`{destination, destinationport, protocol,
 * count, timeout}`, timeout in seconds) so MIG action files validate as they are.
 */

export const PROTOCOLS = ['icmp', 'tcp', 'udp'] as const;
export type PingProtocol = (typeof PROTOCOLS)[number];

export const MAX_COUNT = 100;
export const MAX_TIMEOUT_S = 60;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** Loose on purpose: node's resolver is the judge; this only keeps the text to IPv6's alphabet. */
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;
const LABEL = '[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^${LABEL}(\\.${LABEL})*\\.?$`);

/**
 * Why `text` is not an address or a host name. The destination ends up on the system ping's
 * command line, so nothing that could read as an option (a leading '-') or carry shell
 * characters gets through.
 */
export function destinationProblem(text: string): string | undefined {
  if (text.length === 0) return 'expected an IP address or host name, got an empty string';
  if (text.length > 253) return `expected at most 253 characters, got ${text.length}`;
  if (IPV4.test(text) || (text.includes(':') && IPV6.test(text)) || HOSTNAME.test(text)) return undefined;
  return `expected an IPv4 or IPv6 address or a host name like www.example.com, got ${JSON.stringify(text.slice(0, 100))}`;
}

export const pingParams = z
  .strictObject({
    destination: z
      .string()
      .superRefine((value, ctx) => {
        const message = destinationProblem(value);
        if (message !== undefined) ctx.addIssue({ code: 'custom', message });
      })
      .describe('IPv4 or IPv6 address, or host name resolved on the endpoint (its first address is used, as MIG did)'),
    destinationport: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('Port to probe with tcp and udp; not used by icmp'),
    protocol: z
      .enum(PROTOCOLS)
      .describe('icmp (the system ping command), tcp (connect) or udp (a datagram, answered or refused)'),
    count: z.number().int().min(1).max(MAX_COUNT).default(3).describe('Number of attempts, 100 ms apart'),
    timeout: z.number().positive().max(MAX_TIMEOUT_S).default(5).describe('Seconds to wait for each attempt'),
  })
  .superRefine((p, ctx) => {
    if (p.protocol !== 'icmp' && p.destinationport === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['destinationport'],
        message: `${p.protocol} ping needs a destination port (1-65535)`,
      });
    }
    if (p.protocol === 'icmp' && p.destinationport !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['destinationport'],
        message: 'icmp has no ports: leave destinationport out, or use -p tcp or -p udp',
      });
    }
  })
  .describe('What to probe and how');

export type PingParams = z.output<typeof pingParams>;

export const TIMEOUT_TEXT = /^(\d{1,5}(\.\d{1,3})?)(ms|s)?$/;

/** `5`, `5s`, `1.5s` (seconds, as MIG's -t) or `500ms` → seconds; undefined when not such a value. */
export function parseTimeoutSeconds(text: string): number | undefined {
  const m = TIMEOUT_TEXT.exec(text);
  if (m === null) return undefined;
  const value = Number(m[1]);
  return m[3] === 'ms' ? value / 1000 : value;
}
