import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModuleError } from '../../protocol/errors.js';
import type { ModuleContext } from '../../protocol/module-spec.js';
import { isMissing } from './host-tables.js';
import { mustParseIpNet } from './ip.js';
import { findOwners, type Owner, type OwnerLimits } from './owners.js';
import type { NetstatParams } from './params.js';
import { scanTable, type Proto, type SocketCheck, type SocketEntry } from './proc-table.js';

/**
 * connectedip and listeningport: one pass over each connection table with every check, then,
 * only when something matched, one walk of /proc/<pid>/fd to name the processes holding the
 * matching sockets.
 */

export const TABLES: readonly Proto[] = ['tcp', 'tcp6', 'udp', 'udp6'];

export interface SocketMatch {
  label: string;
  entry: SocketEntry;
  owner?: Owner;
}

export function socketChecks(params: Pick<NetstatParams, 'connectedip' | 'listeningport'>): SocketCheck[] {
  const connected = (params.connectedip ?? []).map((value): SocketCheck => ({
    kind: 'connectedip',
    label: `connectedip:${value}`,
    net: mustParseIpNet(value),
  }));
  const listening = (params.listeningport ?? []).map((port): SocketCheck => ({
    kind: 'listeningport',
    label: `listeningport:${port}`,
    port,
  }));
  return [...connected, ...listening];
}

async function readTable(ctx: ModuleContext, proto: Proto): Promise<Buffer | undefined> {
  try {
    return await readFile(join(ctx.root, 'proc/net', proto));
  } catch (err) {
    // tcp6/udp6 do not exist when IPv6 is disabled: nothing to search, nothing to report.
    if (!(proto.endsWith('6') && isMissing(err)))
      ctx.warn(`cannot read /proc/net/${proto}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return undefined;
  }
}

/**
 * Matches from every table, at most `cap` of them (the runner truncates and says so; we stop
 * reading once past its limit).
 */
export async function findSockets(
  checks: readonly SocketCheck[],
  ctx: ModuleContext,
  cap: number,
): Promise<SocketMatch[]> {
  const matches: SocketMatch[] = [];
  let readable = 0;
  for (const proto of TABLES) {
    ctx.signal.throwIfAborted();
    const buf = await readTable(ctx, proto);
    if (buf === undefined) continue;
    readable++;
    const summary = scanTable(buf, proto, checks, (label, entry) => {
      matches.push({ label, entry });
      return matches.length < cap;
    });
    ctx.count('socketsExamined', summary.lines);
    if (summary.malformed > 0)
      ctx.warn(`/proc/net/${proto}: skipped ${summary.malformed} line(s) not in the kernel's format`);
    if (matches.length >= cap) break;
  }
  if (readable === 0)
    throw new ModuleError(
      'MODULE_FAILED',
      'netstat: no connection table could be read (/proc/net/tcp, tcp6, udp, udp6)',
    );
  return matches;
}

export async function attachOwners(matches: SocketMatch[], ctx: ModuleContext, limits?: OwnerLimits): Promise<void> {
  const wanted = new Set(matches.map((m) => m.entry.inode).filter((inode) => inode !== 0));
  if (wanted.size === 0) return;
  const scan = await findOwners(ctx.root, wanted, ctx.signal, limits);
  ctx.count('processesScanned', scan.processes);
  if (scan.unreadable > 0) ctx.count('processesUnreadable', scan.unreadable);
  if (scan.truncated !== undefined) ctx.warn(`owning processes: ${scan.truncated}; some sockets have no pid`);
  for (const match of matches) {
    const owner = scan.owners.get(match.entry.inode);
    if (owner !== undefined) match.owner = owner;
  }
}
