import { z } from 'zod';
import { ipNetProblem } from './ip.js';
import { checked, re2Problem } from '../shared/param-checks.js';

/**
 * The netstat module's parameters, in MIG's own shape (`{connectedip: [...], listeningport:
 * [...]}`), so MIG action files validate as they are. Parsed on the investigator's machine and
 * again, by this same schema, on every agent.
 */

export const MAX_VALUES = 256;

/** The shared RE2 check (modules/shared/param-checks.ts), under this module's name. */
export const macRegexProblem = re2Problem;

const list = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).min(1).max(MAX_VALUES).optional().describe(what);

/** MIG sent ports as strings ("443"); numbers are accepted too. */
const port = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\d{1,5}$/, 'expected a port number like 443')
      .transform(Number),
  ])
  .pipe(z.number().int().min(1).max(65535))
  .describe('A TCP or UDP port, 1-65535');

const ipOrCidr = checked(ipNetProblem).describe(
  'An IPv4 or IPv6 address, or a CIDR such as 10.0.0.0/8 or 2001:db8::/32',
);
const macRegex = checked(macRegexProblem).describe(
  'An RE2 regular expression matched, case-insensitively, against MACs written aa:bb:cc:dd:ee:ff',
);

export const netstatParams = z
  .strictObject({
    localmac: list(macRegex, 'MAC addresses of the local interfaces that match one of these regexes'),
    neighbormac: list(macRegex, 'MAC addresses in the ARP table (neighbours) that match one of these regexes'),
    localip: list(ipOrCidr, 'Addresses of this host that equal one of these IPs or fall in one of these CIDRs'),
    neighborip: list(
      ipOrCidr,
      'IPv4 neighbours in the ARP table that equal one of these IPs or fall in one of these CIDRs',
    ),
    connectedip: list(
      ipOrCidr,
      'TCP and UDP connections whose remote address equals one of these IPs or falls in one of these CIDRs',
    ),
    listeningport: list(
      port,
      'Local TCP ports in LISTEN state, and UDP ports bound without a peer, equal to one of these',
    ),
  })
  .refine(
    (p) => Object.values(p).some((values) => values !== undefined && values.length > 0),
    'expected at least one check: localmac, neighbormac, localip, neighborip, connectedip or listeningport',
  )
  .describe('What to look for; a row is returned for each match of each value');

export type NetstatParams = z.output<typeof netstatParams>;
