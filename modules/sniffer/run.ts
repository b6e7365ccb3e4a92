import { networkInterfaces } from 'node:os';
import type { z } from 'zod';
import { ModuleError } from '../../protocol/errors.js';
import type { ModuleRun } from '../../protocol/module-spec.js';
import { durationMs, tcpdumpArgs } from './capture-command.js';
import { decodePacket } from './packet.js';
import { PcapError, PcapReader } from './pcap.js';
import type { SnifferParams } from './params.js';
import { PeerTable } from './peers.js';
import type { snifferRow } from './spec.js';
import { runTcpdump, TCPDUMP_PATHS, type TcpdumpOutcome } from './tcpdump.js';

/**
 * The sniffer module on Linux: tcpdump listens for the asked time with a filter built from the
 * parameters and writes pcap; we read it header-deep as it comes and fold each packet into a
 * per-peer tally. The answer is one row per peer (nothing seen: no rows, so not found); totals go
 * to the statistics. No packet byte beyond the ports is read, and none is kept.
 */

export type SnifferRow = z.output<typeof snifferRow>;

export interface SnifferDeps {
  tcpdumpPaths: readonly string[];
  /** Run tcpdump as this user and group (tests only: the no-privilege refusal). */
  uid?: number;
  gid?: number;
}

function localAddresses(): Set<string> {
  const addresses = new Set<string>();
  for (const list of Object.values(networkInterfaces()))
    for (const entry of list ?? []) addresses.add(entry.address.replace(/%.*$/, ''));
  return addresses;
}

export function makeRunSniffer(deps: SnifferDeps): ModuleRun<SnifferParams, SnifferRow> {
  return async function* (params, ctx) {
    const reader = new PcapReader();
    const table = new PeerTable(localAddresses());
    let packets = 0;
    let bytes = 0;
    let undecoded = 0;
    const onData = (chunk: Uint8Array): void => {
      for (const record of reader.push(chunk)) {
        const headers = decodePacket(reader.globalHeader?.linktype ?? -1, record.data);
        packets++;
        bytes += record.origLen;
        if (headers === undefined) undecoded++;
        else table.add(headers, record.timeMs, record.origLen);
      }
    };
    const started = Date.now();
    let outcome: TcpdumpOutcome;
    try {
      outcome = await runTcpdump({
        paths: deps.tcpdumpPaths,
        args: tcpdumpArgs(params),
        iface: params.iface,
        durationMs: durationMs(params),
        signal: ctx.signal,
        onData,
        onListening: (line) => ctx.log(line),
        ...(deps.uid === undefined ? {} : { uid: deps.uid }),
        ...(deps.gid === undefined ? {} : { gid: deps.gid }),
      });
      if (reader.globalHeader !== undefined) reader.end();
    } catch (err) {
      if (err instanceof PcapError)
        throw new ModuleError('MODULE_FAILED', `sniffer: unreadable capture from tcpdump: ${err.code}: ${err.message}`);
      throw err;
    }
    ctx.count('listenedMs', Date.now() - started);
    ctx.count('packetsMatched', packets);
    ctx.count('bytesMatched', bytes);
    if (undecoded > 0) ctx.count('packetsUndecoded', undecoded);
    if (table.overflowPackets > 0) {
      ctx.count('packetsOfUnlistedPeers', table.overflowPackets);
      ctx.warn(`more peers than a result lists: ${table.overflowPackets} packets counted but not in a row`);
    }
    if (outcome.droppedByKernel !== undefined && outcome.droppedByKernel > 0) {
      ctx.count('packetsDroppedByKernel', outcome.droppedByKernel);
      ctx.warn(`the kernel dropped ${outcome.droppedByKernel} packets: counts are a lower bound`);
    }
    for (const summary of table.summaries()) yield summary;
  };
}

export const runSniffer = makeRunSniffer({ tcpdumpPaths: TCPDUMP_PATHS });
