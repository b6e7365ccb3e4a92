import { RE2JS } from 're2js';
import type { z } from 'zod';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { readLocalAddresses, readLocalMacs, readNeighbours, type Read } from './host-tables.js';
import { formatIp, mustParseIpNet, netContains } from './ip.js';
import type { NetstatParams } from './params.js';
import { attachOwners, findSockets, socketChecks, type SocketMatch } from './sockets.js';
import { netstatModule, type netstatRow } from './spec.js';

/**
 * MIG's netstat on Linux, read from /proc and /sys under ctx.root. Each value of each check is
 * answered separately (a row per match, labelled `check:value`), as MIG reported per value.
 */

export type NetstatRow = z.output<typeof netstatRow>;

/** One past the runner's row cap, so it truncates and says so rather than us stopping silently. */
const SOCKET_MATCH_CAP = netstatModule.privacy.maxRows + 1;

function macMatcher(source: string): (mac: string) => boolean {
  // MIG prefixed (?i) to local MAC regexes; MACs are case-insensitive hex everywhere.
  const re = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  return (mac) => re.test(mac);
}

function report<T>(read: Read<T>, ctx: ModuleContext): T[] {
  for (const problem of read.problems) ctx.warn(problem);
  return read.items;
}

async function* localMacRows(patterns: readonly string[], ctx: ModuleContext): AsyncGenerator<NetstatRow> {
  const macs = report(await readLocalMacs(ctx.root), ctx);
  ctx.count('interfacesExamined', macs.length);
  for (const source of patterns) {
    const matches = macMatcher(source);
    for (const { iface, mac } of macs) if (matches(mac)) yield { check: `localmac:${source}`, mac, interface: iface };
  }
}

async function* neighbourRows(params: NetstatParams, ctx: ModuleContext): AsyncGenerator<NetstatRow> {
  const neighbours = report(await readNeighbours(ctx.root), ctx);
  ctx.count('neighboursExamined', neighbours.length);
  const row = (check: string, n: (typeof neighbours)[number]): NetstatRow => ({
    check,
    remoteAddress: formatIp(n.address),
    mac: n.mac,
    interface: n.iface,
  });
  for (const source of params.neighbormac ?? []) {
    const matches = macMatcher(source);
    for (const n of neighbours) if (matches(n.mac)) yield row(`neighbormac:${source}`, n);
  }
  for (const value of params.neighborip ?? []) {
    const net = mustParseIpNet(value);
    if (net.family === 6) {
      ctx.warn(
        `neighborip:${value}: IPv6 neighbours are not in /proc/net/arp (the kernel keeps them in its neighbour table, read through netlink); not checked`,
      );
      continue;
    }
    for (const n of neighbours) if (netContains(net, n.address)) yield row(`neighborip:${value}`, n);
  }
}

async function* localIpRows(values: readonly string[], ctx: ModuleContext): AsyncGenerator<NetstatRow> {
  const addresses = report(await readLocalAddresses(ctx.root), ctx);
  ctx.count('addressesExamined', addresses.length);
  for (const value of values) {
    const net = mustParseIpNet(value);
    for (const { address, iface } of addresses) {
      if (!netContains(net, address)) continue;
      yield iface === undefined
        ? { check: `localip:${value}`, localAddress: formatIp(address) }
        : { check: `localip:${value}`, localAddress: formatIp(address), interface: iface };
    }
  }
}

function socketRow(match: SocketMatch): NetstatRow {
  const { entry, owner } = match;
  const row: NetstatRow = {
    check: match.label,
    proto: entry.proto,
    localAddress: entry.localAddress,
    localPort: entry.localPort,
    remoteAddress: entry.remoteAddress,
    remotePort: entry.remotePort,
    state: entry.state,
    uid: entry.uid,
  };
  if (owner !== undefined) row.pid = owner.pid;
  if (owner?.process !== undefined) row.process = owner.process;
  return row;
}

async function* socketRows(params: NetstatParams, ctx: ModuleContext): AsyncGenerator<NetstatRow> {
  const matches = await findSockets(socketChecks(params), ctx, SOCKET_MATCH_CAP);
  await attachOwners(matches, ctx);
  for (const match of matches) yield socketRow(match);
}

export const runNetstat: ModuleRun<NetstatParams, NetstatRow> = async function* (params, ctx) {
  const sections: [boolean, () => AsyncGenerator<NetstatRow>][] = [
    [params.localmac !== undefined, () => localMacRows(params.localmac ?? [], ctx)],
    [params.neighbormac !== undefined || params.neighborip !== undefined, () => neighbourRows(params, ctx)],
    [params.localip !== undefined, () => localIpRows(params.localip ?? [], ctx)],
    [params.connectedip !== undefined || params.listeningport !== undefined, () => socketRows(params, ctx)],
  ];
  for (const [isAsked, rows] of sections) {
    ctx.signal.throwIfAborted();
    if (isAsked) yield* rows();
  }
};
