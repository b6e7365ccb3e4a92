/**
 * Test-only: hand-made pcap streams and packets, byte by byte as tcpdump and the kernel write
 * them, for the parser tests (modules/sniffer/pcap.test.ts, packet.test.ts).
 */

export interface RecordSpec {
  seconds: number;
  fraction?: number;
  data: Uint8Array;
  /** Bytes on the wire; default: data.length. */
  origLen?: number;
  /** Bytes the record header claims were captured; default: data.length (a lie makes a hostile record). */
  inclLen?: number;
}

export function pcapStream(
  linktype: number,
  records: readonly RecordSpec[],
  opts: { isBigEndian?: boolean; isNano?: boolean; snaplen?: number } = {},
): Uint8Array {
  const le = opts.isBigEndian !== true;
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, opts.isNano === true ? 0xa1b23c4d : 0xa1b2c3d4, le);
  header.setUint16(4, 2, le);
  header.setUint16(6, 4, le);
  header.setUint32(16, opts.snaplen ?? 64, le);
  header.setUint32(20, linktype, le);
  const parts: Uint8Array[] = [new Uint8Array(header.buffer)];
  for (const r of records) {
    const rh = new DataView(new ArrayBuffer(16));
    rh.setUint32(0, r.seconds, le);
    rh.setUint32(4, r.fraction ?? 0, le);
    rh.setUint32(8, r.inclLen ?? r.data.length, le);
    rh.setUint32(12, r.origLen ?? r.data.length, le);
    parts.push(new Uint8Array(rh.buffer), r.data);
  }
  return Buffer.concat(parts);
}

const bytes = (...values: number[]): number[] => values;
const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const v4 = (ip: string): number[] => ip.split('.').map(Number);
function v6(ip: string): number[] {
  const [head = '', tail = ''] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.flatMap((g) => u16(parseInt(g, 16)));
}

/** TCP (6) or UDP (17) header start: ports, then zeros up to a minimal header, then payload. */
function transport(proto: number, sport: number, dport: number, payload: Uint8Array): number[] {
  const rest = proto === 6 ? new Array<number>(16).fill(0) : [...u16(8 + payload.length), 0, 0];
  return [...u16(sport), ...u16(dport), ...rest, ...payload];
}

export function ipv4Packet(
  src: string,
  dst: string,
  proto: number,
  sport: number,
  dport: number,
  payload: Uint8Array = new Uint8Array(0),
  fragmentOffset = 0,
): number[] {
  const body = proto === 1 ? [8, 0, 0, 0, ...payload] : transport(proto, sport, dport, payload);
  return [
    ...bytes(0x45, 0),
    ...u16(20 + body.length),
    0,
    0,
    ...u16(fragmentOffset),
    64,
    proto,
    0,
    0,
    ...v4(src),
    ...v4(dst),
    ...body,
  ];
}

export function ipv6Packet(
  src: string,
  dst: string,
  next: number,
  sport: number,
  dport: number,
  extensions: number[] = [],
): number[] {
  const body = transport(next, sport, dport, new Uint8Array(0));
  const first = extensions.length > 0 ? 0 : next;
  return [
    0x60,
    0,
    0,
    0,
    ...u16(extensions.length + body.length),
    first,
    64,
    ...v6(src),
    ...v6(dst),
    ...extensions,
    ...body,
  ];
}

export function ethernet(ethertype: number, ip: number[], vlan?: number): Uint8Array {
  const tag = vlan === undefined ? [] : [...u16(0x8100), ...u16(vlan)];
  return Uint8Array.from([...new Array<number>(12).fill(0xaa), ...tag, ...u16(ethertype), ...ip]);
}

/** LINUX_SLL: packet type (0 to us, 4 outgoing), ARPHRD, address length, 8 address bytes, protocol. */
export function sll(packetType: number, ethertype: number, ip: number[]): Uint8Array {
  return Uint8Array.from([
    ...u16(packetType),
    ...u16(1),
    ...u16(6),
    ...new Array<number>(8).fill(0xbb),
    ...u16(ethertype),
    ...ip,
  ]);
}

/** LINUX_SLL2: protocol, reserved, ifindex, ARPHRD, packet type, address length, 8 address bytes. */
export function sll2(packetType: number, ethertype: number, ip: number[]): Uint8Array {
  return Uint8Array.from([
    ...u16(ethertype),
    0,
    0,
    0,
    0,
    0,
    2,
    ...u16(1),
    packetType,
    6,
    ...new Array<number>(8).fill(0xcc),
    ...ip,
  ]);
}
