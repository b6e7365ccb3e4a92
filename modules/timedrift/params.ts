import { z } from 'zod';

/**
 * The timedrift module's parameters: MIG's `{drift: "5s"}` (a Go duration), plus which NTP
 * servers to ask, whether to ask them all, and how long to wait for each.
 */

export const MAX_SERVERS = 16;
export const MAX_TIMEOUT_S = 30;

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
// µ (micro sign) and μ (Greek mu) look alike, so both are accepted; escaped, the bundle stays
// ASCII (scripts/ascii-escape.mjs).
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/y;

/** Go's time.ParseDuration (unsigned): `5s`, `1m30s`, `500ms`, `1.5h`, `0` → milliseconds. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text.length === 0 || text.length > 64) return undefined;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const m = DURATION_PART.exec(text);
    if (m === null) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}

const LABEL = '[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^${LABEL}(\\.${LABEL})*\\.?$`);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** Loose: the resolver is the judge; this keeps the text to IPv6's alphabet. */
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;

export interface ServerAddress {
  host: string;
  port: number;
}

/** `host`, `host:port`, `[2001:db8::1]:port` or a bare IPv6 address; port defaults to 123. */
export function parseServer(text: string): ServerAddress | undefined {
  let host = text;
  let port = 123;
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed !== null) {
    host = bracketed[1] ?? '';
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
    if (!IPV6.test(host) || !host.includes(':')) return undefined;
  } else if ((text.match(/:/g) ?? []).length === 1) {
    const [h = '', p = ''] = text.split(':');
    if (!/^\d{1,5}$/.test(p)) return undefined;
    host = h;
    port = Number(p);
  }
  if (port < 1 || port > 65535) return undefined;
  const isIpv6 = host.includes(':') && IPV6.test(host);
  if (!isIpv6 && !IPV4.test(host) && !HOSTNAME.test(host)) return undefined;
  if (host.length > 253) return undefined;
  return { host, port };
}

const goDuration = z.string().superRefine((value, ctx) => {
  if (parseGoDuration(value) === undefined)
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration like 5s, 500ms or 1m30s, got ${JSON.stringify(value.slice(0, 64))}`,
    });
});

const server = z.string().superRefine((value, ctx) => {
  if (parseServer(value) === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected an NTP server as host, host:port or [ipv6]:port, got ${JSON.stringify(value.slice(0, 100))}`,
    });
  }
});

export const timedriftParams = z
  .strictObject({
    drift: goDuration
      .default('5s')
      .describe('Allowed difference between local time and NTP time (Go duration: 5s, 500ms, 1m)'),
    servers: z
      .array(server.describe('An NTP server: host, host:port or [ipv6]:port'))
      .min(1)
      .max(MAX_SERVERS)
      .optional()
      .describe(
        "NTP servers to ask, in order; default: the host's own (ntp.conf, chrony, timesyncd), then time.nist.gov and pool.ntp.org",
      ),
    all: z
      .boolean()
      .default(false)
      .describe('Ask every server instead of stopping at the first that answers (as MIG did)'),
    timeout: z.number().positive().max(MAX_TIMEOUT_S).default(5).describe('Seconds to wait for each server'),
  })
  .describe('How far local time may drift, and from which servers');

export type TimedriftParams = z.output<typeof timedriftParams>;
