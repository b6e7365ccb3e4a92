import { describe, expect, it } from 'vitest';
import { pcapStream, sll2, ipv4Packet } from '../../test/helpers/modules/sniffer/pcap-bytes.js';
import { LINKTYPE } from './packet.js';
import { PcapError, PcapReader, parseGlobalHeader } from './pcap.js';

// Hand-made pcap bytes: what tcpdump -w - writes, and what a broken or hostile stream could be.

const packet = sll2(0, 0x0800, ipv4Packet('10.0.0.2', '10.0.0.1', 17, 40000, 53));

function readAll(stream: Uint8Array, chunkSize = stream.length): ReturnType<PcapReader['push']> {
  const reader = new PcapReader();
  const records = [];
  for (let at = 0; at < stream.length; at += chunkSize)
    records.push(...reader.push(stream.subarray(at, at + chunkSize)));
  reader.end();
  return records;
}

/** Records as plain values (a Buffer and a Uint8Array with the same bytes compare equal). */
const plain = (records: ReturnType<PcapReader['push']>) => records.map((r) => ({ ...r, data: [...r.data] }));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof PcapError) return err.code;
    throw err;
  }
  return undefined;
}

describe('pcap stream', () => {
  it.each([
    { name: 'little-endian, microseconds', opts: {}, fraction: 250_000, want: 1_700_000_000_250 },
    { name: 'big-endian', opts: { isBigEndian: true }, fraction: 250_000, want: 1_700_000_000_250 },
    { name: 'nanoseconds', opts: { isNano: true }, fraction: 250_000_000, want: 1_700_000_000_250 },
  ])('reads records: $name', ({ opts, fraction, want }) => {
    const stream = pcapStream(
      LINKTYPE.LINUX_SLL2,
      [{ seconds: 1_700_000_000, fraction, data: packet, origLen: 1500 }],
      opts,
    );
    const [record, ...rest] = readAll(stream);
    expect(rest).toEqual([]);
    expect(record?.timeMs).toBe(want);
    expect(record?.origLen).toBe(1500);
    expect([...(record?.data ?? [])]).toEqual([...packet]);
  });

  it('gives the same records whatever the chunking, down to one byte at a time', () => {
    const stream = pcapStream(
      LINKTYPE.LINUX_SLL2,
      [1, 2, 3].map((seconds) => ({ seconds, data: packet })),
    );
    const whole = readAll(stream);
    expect(whole).toHaveLength(3);
    for (const size of [1, 7, 16, 25]) expect(plain(readAll(stream, size))).toEqual(plain(whole));
  });

  it('reports the link type from the global header', () => {
    const header = parseGlobalHeader(pcapStream(LINKTYPE.ETHERNET, []));
    expect(header).toEqual({ isLittleEndian: true, isNano: false, snaplen: 64, linktype: 1 });
  });

  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    { name: 'not pcap at all', bytes: Buffer.from('this is not a capture file, not at all'), want: 'PCAP_BAD_MAGIC' },
    {
      name: 'pcapng',
      bytes: Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, ...new Array<number>(28).fill(0)]),
      want: 'PCAP_BAD_MAGIC',
    },
    {
      name: 'a snapshot length of 4 GiB',
      bytes: (() => {
        const s = pcapStream(1, []);
        new DataView(s.buffer, s.byteOffset).setUint32(16, 0xffffffff, true);
        return s;
      })(),
      want: 'PCAP_BAD_HEADER',
    },
    {
      name: 'version 1',
      bytes: (() => {
        const s = pcapStream(1, []);
        new DataView(s.buffer, s.byteOffset).setUint16(4, 1, true);
        return s;
      })(),
      want: 'PCAP_BAD_HEADER',
    },
    {
      name: 'a record claiming 4 GiB captured',
      bytes: pcapStream(1, [{ seconds: 1, data: packet, inclLen: 0xffffffff, origLen: 0xffffffff }]),
      want: 'PCAP_BAD_RECORD',
    },
    {
      name: 'a record larger than the snapshot length',
      bytes: pcapStream(1, [{ seconds: 1, data: new Uint8Array(100) }], { snaplen: 64 }),
      want: 'PCAP_BAD_RECORD',
    },
    {
      name: 'more bytes captured than were on the wire',
      bytes: pcapStream(1, [{ seconds: 1, data: packet, origLen: 10 }]),
      want: 'PCAP_BAD_RECORD',
    },
    {
      name: 'a microsecond fraction of a million',
      bytes: pcapStream(1, [{ seconds: 1, fraction: 1_000_000, data: packet }]),
      want: 'PCAP_BAD_RECORD',
    },
    {
      name: 'a stream cut inside a record',
      bytes: pcapStream(1, [{ seconds: 1, data: packet }]).subarray(0, 50),
      want: 'PCAP_TRUNCATED',
    },
    { name: 'a stream cut inside the global header', bytes: pcapStream(1, []).subarray(0, 10), want: 'PCAP_TRUNCATED' },
    { name: 'an empty stream', bytes: new Uint8Array(0), want: 'PCAP_TRUNCATED' },
  ])('refuses $name with a coded error, never a crash', ({ bytes, want }) => {
    expect(codeOf(() => readAll(bytes))).toBe(want);
  });

  it('holds at most one partial record between chunks, however the stream lies', () => {
    const reader = new PcapReader();
    reader.push(pcapStream(1, [], { snaplen: 64 }));
    // A record header claiming 64 bytes, then its bytes one at a time: nothing piles up beyond it.
    const record = pcapStream(1, [{ seconds: 1, data: new Uint8Array(64) }]).subarray(24);
    for (const byte of record.subarray(0, -1)) expect(reader.push(Uint8Array.of(byte))).toEqual([]);
    expect(reader.push(record.subarray(-1))).toHaveLength(1);
  });
});
