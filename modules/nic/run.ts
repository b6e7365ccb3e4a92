import { RE2JS } from 're2js';
import type { z } from 'zod';
import type { ModuleRun } from '../../protocol/module-spec.js';
import { boundHolds, parseBound, type Bound, type NicParams } from './params.js';
import type { nicRow } from './spec.js';
import { IFF_PROMISC, IFF_UP, listInterfaces, readCounters, readInterface, type Interface } from './sysfs.js';

/**
 * The nic module on Linux: each interface under /sys/class/net (below ctx.root) is read, tested
 * against every check the parameters give, and reported as a row when all hold.
 */

export type NicRow = z.output<typeof nicRow>;

type Test = (iface: Interface, row: NicRow) => boolean;

function anyRegex(sources: readonly string[], flags = 0): (value: string | undefined) => boolean {
  const regexes = sources.map((s) => RE2JS.compile(s, flags));
  return (value) => value !== undefined && regexes.some((re) => re.test(value));
}

function allBounds(texts: readonly string[]): (value: number | undefined) => boolean {
  // The schema checked every text, so parseBound cannot fail here.
  const bounds = texts.map(parseBound).filter((b): b is Bound => b !== undefined);
  return (value) => value !== undefined && bounds.every((b) => boundHolds(b, value));
}

/** The parameters as tests on an interface and its row; no parameter, no test. */
function tests(params: NicParams): Test[] {
  const out: Test[] = [];
  if (params.name !== undefined) {
    const matches = anyRegex(params.name);
    out.push((iface) => matches(iface.name));
  }
  if (params.mac !== undefined) {
    // MIG matched MACs case-insensitively; the kernel prints them in lower case.
    const matches = anyRegex(params.mac, RE2JS.CASE_INSENSITIVE);
    out.push((iface) => matches(iface.mac));
  }
  if (params.driver !== undefined) {
    const matches = anyRegex(params.driver);
    out.push((iface) => matches(iface.driver));
  }
  if (params.state !== undefined) out.push((_, row) => row.state === params.state);
  if (params.promisc !== undefined) out.push((_, row) => row.promisc === params.promisc);
  if (params.mtu !== undefined) {
    const holds = allBounds(params.mtu);
    out.push((iface) => holds(iface.mtu));
  }
  if (params.speed !== undefined) {
    const holds = allBounds(params.speed);
    out.push((iface) => holds(iface.speed));
  }
  return out;
}

/** Loopback and tunnels say "unknown": their carrier, when configured up, is what tells. */
function isUp(iface: Interface): boolean {
  if ((iface.flags & IFF_UP) === 0) return false;
  return iface.operstate === 'up' || (iface.operstate === 'unknown' && iface.carrier === true);
}

function toRow(iface: Interface): NicRow {
  const row: NicRow = {
    name: iface.name,
    state: isUp(iface) ? 'up' : 'down',
    promisc: (iface.flags & IFF_PROMISC) !== 0,
    isAdminUp: (iface.flags & IFF_UP) !== 0,
    flags: `0x${iface.flags.toString(16)}`,
  };
  for (const key of ['operstate', 'carrier', 'mtu', 'speed', 'mac', 'type', 'driver'] as const) {
    const value = iface[key];
    if (value !== undefined) Object.assign(row, { [key]: value });
  }
  return row;
}

export const runNic: ModuleRun<NicParams, NicRow> = async function* (params, ctx) {
  const checks = tests(params);
  const names = await listInterfaces(ctx.root);
  for (const problem of names.problems) ctx.warn(problem);
  const problems: string[] = [];
  const counters = await readCounters(ctx.root, problems);
  for (const problem of problems.splice(0)) ctx.warn(problem);
  for (const name of names.items) {
    ctx.signal.throwIfAborted();
    const iface = await readInterface(ctx.root, name, problems);
    for (const problem of problems.splice(0)) ctx.warn(problem);
    if (iface === undefined) continue;
    ctx.count('interfacesExamined');
    const row = toRow(iface);
    if (!checks.every((test) => test(iface, row))) continue;
    const counted = counters.get(name);
    yield counted === undefined ? row : { ...row, ...counted };
  }
};
