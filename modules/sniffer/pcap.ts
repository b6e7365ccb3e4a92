/**
 * A streaming reader of the classic pcap format (what `tcpdump -w -` writes): the 24-byte global
 * header, then records of a 16-byte header and the captured bytes. Input is hostile: every length
 * is checked before use, a record may not claim more than the snapshot length allows, and a bad
 * header is a coded PcapError, never a crash or an unbounded buffer.
 */

export type PcapErrorCode = 'PCAP_BAD_MAGIC' | 'PCAP_BAD_HEADER' | 'PCAP_BAD_RECORD' | 'PCAP_TRUNCATED';

export class PcapError extends Error {
  constructor(
    readonly code: PcapErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PcapError';
  }
}

export interface PcapHeader {
  isLittleEndian: boolean;
  /** Timestamps in nanoseconds (magic a1b23c4d) rather than microseconds. */
  isNano: boolean;
  snaplen: number;
  linktype: number;
}

export interface PcapRecord {
  /** Capture time in ms since the epoch (sub-ms precision kept as a fraction). */
  timeMs: number;
  /** Bytes of the packet on the wire. */
  origLen: number;
  /** The captured bytes (at most the snapshot length). */
  data: Uint8Array;
}

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** Largest record accepted whatever the header says: libpcap's own cap on a snapshot. */
export const MAX_RECORD_BYTES = 262_144;

export function parseGlobalHeader(bytes: Uint8Array): PcapHeader {
  if (bytes.length < GLOBAL_HEADER)
    throw new PcapError('PCAP_TRUNCATED', `pcap global header: ${bytes.length} of ${GLOBAL_HEADER} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, GLOBAL_HEADER);
  const magicBig = view.getUint32(0, false);
  const magicLittle = view.getUint32(0, true);
  let isLittleEndian: boolean;
  let isNano: boolean;
  if (magicLittle === 0xa1b2c3d4 || magicLittle === 0xa1b23c4d) {
    isLittleEndian = true;
    isNano = magicLittle === 0xa1b23c4d;
  } else if (magicBig === 0xa1b2c3d4 || magicBig === 0xa1b23c4d) {
    isLittleEndian = false;
    isNano = magicBig === 0xa1b23c4d;
  } else {
    throw new PcapError('PCAP_BAD_MAGIC', `not a pcap stream (magic 0x${magicBig.toString(16).padStart(8, '0')})`);
  }
  const major = view.getUint16(4, isLittleEndian);
  if (major !== 2) throw new PcapError('PCAP_BAD_HEADER', `pcap version ${major}, expected 2`);
  const snaplen = view.getUint32(16, isLittleEndian);
  const linktype = view.getUint32(20, isLittleEndian) & 0x0fffffff;
  if (snaplen === 0 || snaplen > MAX_RECORD_BYTES)
    throw new PcapError('PCAP_BAD_HEADER', `pcap snapshot length ${snaplen}, expected 1 to ${MAX_RECORD_BYTES}`);
  return { isLittleEndian, isNano, snaplen, linktype };
}

/**
 * Feed it chunks as they come; it returns the complete records each chunk finishes. It holds at
 * most one partial record (bounded by the snapshot length) between chunks.
 */
export class PcapReader {
  private pending: Uint8Array = new Uint8Array(0);
  private header: PcapHeader | undefined;

  get globalHeader(): PcapHeader | undefined {
    return this.header;
  }

  push(chunk: Uint8Array): PcapRecord[] {
    const bytes = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    let at = 0;
    if (this.header === undefined) {
      if (bytes.length < GLOBAL_HEADER) {
        this.pending = new Uint8Array(bytes); // a copy: Buffer.slice would be a view
        return [];
      }
      this.header = parseGlobalHeader(bytes);
      at = GLOBAL_HEADER;
    }
    const { isLittleEndian, isNano, snaplen } = this.header;
    const records: PcapRecord[] = [];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    while (bytes.length - at >= RECORD_HEADER) {
      const seconds = view.getUint32(at, isLittleEndian);
      const fraction = view.getUint32(at + 4, isLittleEndian);
      const inclLen = view.getUint32(at + 8, isLittleEndian);
      const origLen = view.getUint32(at + 12, isLittleEndian);
      if (inclLen > snaplen || inclLen > origLen || fraction >= (isNano ? 1e9 : 1e6))
        throw new PcapError(
          'PCAP_BAD_RECORD',
          `pcap record at byte ${at}: ${inclLen} bytes captured of ${origLen} (snapshot length ${snaplen}), fraction ${fraction}`,
        );
      if (bytes.length - at - RECORD_HEADER < inclLen) break;
      const start = at + RECORD_HEADER;
      records.push({
        timeMs: seconds * 1000 + (isNano ? fraction / 1e6 : fraction / 1e3),
        origLen,
        // A view, not a copy: the chunk is never reused (only the leftover below is copied).
        data: bytes.subarray(start, start + inclLen),
      });
      at = start + inclLen;
    }
    this.pending = new Uint8Array(bytes.subarray(at)); // a copy, bounded by one record
    return records;
  }

  /** At the end of the stream: anything left over is a record cut short. */
  end(): void {
    if (this.header === undefined && this.pending.length === 0)
      throw new PcapError('PCAP_TRUNCATED', 'pcap stream ended before its global header');
    if (this.pending.length > 0)
      throw new PcapError('PCAP_TRUNCATED', `pcap stream ended inside a record (${this.pending.length} bytes left)`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
