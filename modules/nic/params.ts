import { z } from 'zod';
import { checked, re2Problem } from '../shared/param-checks.js';

/**
 * The nic module's parameters: which interfaces to answer about. Every given check must hold for
 * an interface to be reported (name OR-ed within its list, checks AND-ed), so `promisc: true`
 * alone answers "is any interface of this host in promiscuous mode?". No check: every interface.
 * Parsed on the investigator's machine and again, by this same schema, on every agent.
 */

export const MAX_VALUES = 64;

/** The shared RE2 check (modules/shared/param-checks.ts), under this module's name. */
export const regexProblem = re2Problem;

export interface Bound {
  op: '<' | '>' | '=';
  value: number;
}

const BOUND = /^([<>=]?)(\d{1,10})$/;

/** `>1500`, `<1000`, `=9000` or a bare `9000` (equal). Undefined when the text is none of these. */
export function parseBound(text: string): Bound | undefined {
  const m = BOUND.exec(text.trim());
  if (m === null) return undefined;
  const op = m[1] === '<' || m[1] === '>' ? m[1] : '=';
  return { op, value: Number(m[2]) };
}

export function boundHolds(bound: Bound, value: number): boolean {
  if (bound.op === '<') return value < bound.value;
  if (bound.op === '>') return value > bound.value;
  return value === bound.value;
}

function boundProblem(text: string): string | undefined {
  return parseBound(text) === undefined
    ? `expected a bound like >1500, <1000, =9000 or 9000, got ${JSON.stringify(text.slice(0, 100))}`
    : undefined;
}

const list = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).min(1).max(MAX_VALUES).optional().describe(what);
const regex = (what: string) => checked(regexProblem).describe(what);
const bound = (what: string) => checked(boundProblem).describe(what);

export const nicParams = z
  .strictObject({
    name: list(
      regex('An RE2 regular expression matched against interface names'),
      'Interfaces whose name matches one of these RE2 regexes, e.g. ^eth',
    ),
    mac: list(
      regex('An RE2 regular expression matched, case-insensitively, against MACs written aa:bb:cc:dd:ee:ff'),
      'Interfaces whose MAC address matches one of these RE2 regexes (case-insensitive)',
    ),
    driver: list(
      regex('An RE2 regular expression matched against driver names'),
      'Interfaces whose driver (the device/driver link, e.g. e1000e, virtio_net) matches one of these RE2 regexes',
    ),
    state: z
      .enum(['up', 'down'])
      .optional()
      .describe(
        'Only interfaces in this state: up is administratively up with the link up (operstate up, or unknown with a carrier, as loopback and tunnels report)',
      ),
    promisc: z
      .boolean()
      .optional()
      .describe(
        'true: only interfaces in promiscuous mode (IFF_PROMISC, a classic sign of a sniffer); false: only those not in it',
      ),
    mtu: list(
      bound('A bound on the MTU in bytes: >1500, <1500, =9000 or 9000'),
      'Interfaces whose MTU satisfies every one of these bounds',
    ),
    speed: list(
      bound('A bound on the link speed in Mb/s: >1000, <100, =10000 or 10000'),
      'Interfaces whose link speed (Mb/s) satisfies every one of these bounds; interfaces that report no speed never match',
    ),
  })
  .describe('Which interfaces to report: every given check must hold; none given reports every interface');

export type NicParams = z.output<typeof nicParams>;
