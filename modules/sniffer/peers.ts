import type { PacketHeaders, Proto } from './packet.js';

/**
 * Folds decoded packets into the answer: per peer (the address at the other end) and protocol,
 * how many packets and bytes, in which direction, first and last seen, and which ports. The
 * direction comes from the Linux cooked header when the capture has one (`-i any`), otherwise
 * from this host's own addresses: a packet whose source is local was sent.
 */

export const MAX_PEERS = 1024;
export const MAX_PORTS_LISTED = 16;

export interface PeerSummary {
  peer: string;
  proto: Proto;
  packets: number;
  bytes: number;
  packetsIn: number;
  packetsOut: number;
  firstSeen: string;
  lastSeen: string;
  localPorts?: number[];
  peerPorts?: number[];
}

/** A summary while it is counted: times as epoch ms and ports as sets until the row is made. */
interface Tally extends Omit<PeerSummary, 'firstSeen' | 'lastSeen' | 'localPorts' | 'peerPorts'> {
  firstMs: number;
  lastMs: number;
  localPorts: Set<number>;
  peerPorts: Set<number>;
}

export class PeerTable {
  private readonly tallies = new Map<string, Tally>();
  /** Packets whose peer did not fit in MAX_PEERS: counted in the totals, not in a row. */
  overflowPackets = 0;

  constructor(private readonly localAddresses: ReadonlySet<string>) {}

  add(headers: PacketHeaders, timeMs: number, bytes: number): void {
    const direction = headers.direction ?? (this.localAddresses.has(headers.src) ? 'out' : 'in');
    const [peer, localPort, peerPort] =
      direction === 'out'
        ? [headers.dst, headers.srcPort, headers.dstPort]
        : [headers.src, headers.dstPort, headers.srcPort];
    const key = `${headers.proto} ${peer}`;
    let tally = this.tallies.get(key);
    if (tally === undefined) {
      if (this.tallies.size >= MAX_PEERS) {
        this.overflowPackets++;
        return;
      }
      tally = {
        peer,
        proto: headers.proto,
        packets: 0,
        bytes: 0,
        packetsIn: 0,
        packetsOut: 0,
        firstMs: timeMs,
        lastMs: timeMs,
        localPorts: new Set(),
        peerPorts: new Set(),
      };
      this.tallies.set(key, tally);
    }
    tally.packets++;
    tally.bytes += bytes;
    if (direction === 'out') tally.packetsOut++;
    else tally.packetsIn++;
    tally.firstMs = Math.min(tally.firstMs, timeMs);
    tally.lastMs = Math.max(tally.lastMs, timeMs);
    if (localPort !== undefined && tally.localPorts.size < MAX_PORTS_LISTED) tally.localPorts.add(localPort);
    if (peerPort !== undefined && tally.peerPorts.size < MAX_PORTS_LISTED) tally.peerPorts.add(peerPort);
  }

  /** Busiest peers first (packets, then address), so a capped answer keeps the ones that matter. */
  summaries(): PeerSummary[] {
    return [...this.tallies.values()]
      .sort((a, b) => b.packets - a.packets || a.peer.localeCompare(b.peer) || a.proto.localeCompare(b.proto))
      .map((t) => {
        const row: PeerSummary = {
          peer: t.peer,
          proto: t.proto,
          packets: t.packets,
          bytes: t.bytes,
          packetsIn: t.packetsIn,
          packetsOut: t.packetsOut,
          firstSeen: new Date(Math.floor(t.firstMs)).toISOString(),
          lastSeen: new Date(Math.floor(t.lastMs)).toISOString(),
        };
        if (t.localPorts.size > 0) row.localPorts = [...t.localPorts].sort((a, b) => a - b);
        if (t.peerPorts.size > 0) row.peerPorts = [...t.peerPorts].sort((a, b) => a - b);
        return row;
      });
  }
}
