import { formatIpv4, formatIpv6, type IpNet } from './ip.js';

/**
 * The hot path: /proc/net/{tcp,tcp6,udp,udp6} read as one buffer and scanned byte by byte. A
 * busy server has tens of thousands of lines, so a line is tested on its raw hex (no split, no
 * regex, no string) and decoded into strings only when a check matches it.
 *
 * The kernel prints each address as native-endian 32-bit words (%08X). We assume a
 * little-endian host (x86, arm64): instead of byte-swapping every line we byte-swap the
 * searched network once, since masking commutes with the swap.
 */

export type Proto = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export interface SocketEntry {
  proto: Proto;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  state: string;
  uid: number;
  /** 0 for sockets no process holds any more (TIME_WAIT). */
  inode: number;
}

export type SocketCheck =
  { kind: 'connectedip'; label: string; net: IpNet } | { kind: 'listeningport'; label: string; port: number };

/** Offsets of one line's fields; reused for every line so the scan allocates nothing. */
interface LineView {
  remote: number;
  localPort: number;
  remotePort: number;
  state: number;
}

type LineTest = (buf: Buffer, line: LineView) => boolean;

const TCP_STATES = [
  '',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
];
const TCP_LISTEN = 0x0a;
const UDP_UNCONNECTED = 0x07;

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[65 + i] = HEX[97 + i] = 10 + i;

/** Eight hex digits as a signed 32-bit int (the caller validated them). */
function hex8(buf: Buffer, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) v = (v << 4) | (HEX[buf[i] ?? 0] ?? 0);
  return v;
}

function hexN(buf: Buffer, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) v = v * 16 + (HEX[buf[i] ?? 0] ?? 0);
  return v;
}

function isHexRun(buf: Buffer, at: number, n: number): boolean {
  for (let i = at; i < at + n; i++) if ((HEX[buf[i] ?? 0] ?? -1) < 0) return false;
  return true;
}

/** Network-order word → the signed int hex8 reads for it on a little-endian host. */
function toProc(word: number): number {
  return ((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24);
}

const MAPPED_PROC = toProc(0x0000ffff);

function connectedTest(net: IpNet, addrLen: 8 | 32): LineTest | undefined {
  const n = net.words.map((w, i) => toProc(w) & toProc(net.masks[i] ?? 0));
  const m = net.masks.map(toProc);
  const [n0 = 0, n1 = 0, n2 = 0, n3 = 0] = n;
  const [m0 = 0, m1 = 0, m2 = 0, m3 = 0] = m;
  // A remote port of 0 is an unconnected socket (a listener): it is connected to nobody.
  if (net.family === 4 && addrLen === 8) return (b, l) => l.remotePort !== 0 && (hex8(b, l.remote) & m0) === n0;
  if (net.family === 4) {
    return (b, l) =>
      l.remotePort !== 0 &&
      hex8(b, l.remote) === 0 &&
      hex8(b, l.remote + 8) === 0 &&
      hex8(b, l.remote + 16) === MAPPED_PROC &&
      (hex8(b, l.remote + 24) & m0) === n0;
  }
  if (addrLen === 8) return undefined;
  return (b, l) =>
    l.remotePort !== 0 &&
    (hex8(b, l.remote) & m0) === n0 &&
    (hex8(b, l.remote + 8) & m1) === n1 &&
    (hex8(b, l.remote + 16) & m2) === n2 &&
    (hex8(b, l.remote + 24) & m3) === n3;
}

function compile(check: SocketCheck, proto: Proto): LineTest | undefined {
  const addrLen = proto.endsWith('6') ? 32 : 8;
  if (check.kind === 'connectedip') return connectedTest(check.net, addrLen);
  const port = check.port;
  // Listening: a TCP socket in LISTEN, or a UDP socket bound to the port and connected to no one.
  if (proto.startsWith('tcp')) return (_b, l) => l.localPort === port && l.state === TCP_LISTEN;
  return (_b, l) => l.localPort === port && l.remotePort === 0 && l.state === UDP_UNCONNECTED;
}

function formatAddress(buf: Buffer, at: number, addrLen: number): string {
  if (addrLen === 8) return formatIpv4(toProc(hex8(buf, at)) >>> 0);
  return formatIpv6([0, 8, 16, 24].map((o) => toProc(hex8(buf, at + o)) >>> 0));
}

/** The n-th space-separated token at or after `from`, as [start, end). */
function skipTokens(buf: Buffer, from: number, end: number, n: number): [number, number] {
  let p = from;
  for (let t = 0; ; t++) {
    while (p < end && buf[p] === 32) p++;
    const start = p;
    while (p < end && buf[p] !== 32) p++;
    if (t === n) return [start, p];
  }
}

function decode(buf: Buffer, proto: Proto, local: number, line: LineView, end: number): SocketEntry {
  const addrLen = proto.endsWith('6') ? 32 : 8;
  // After the state: tx:rx, tr:when, retrnsmt, uid, timeout, inode.
  const [uidStart, uidEnd] = skipTokens(buf, line.remote + addrLen + 8, end, 3);
  const [inodeStart, inodeEnd] = skipTokens(buf, uidEnd, end, 1);
  const state =
    proto.startsWith('udp') && line.state === UDP_UNCONNECTED
      ? 'UNCONN'
      : (TCP_STATES[line.state] ?? `0x${line.state.toString(16)}`);
  return {
    proto,
    localAddress: formatAddress(buf, local, addrLen),
    localPort: line.localPort,
    remoteAddress: formatAddress(buf, line.remote, addrLen),
    remotePort: line.remotePort,
    state,
    uid: Number(buf.toString('latin1', uidStart, uidEnd)) || 0,
    inode: Number(buf.toString('latin1', inodeStart, inodeEnd)) || 0,
  };
}

export interface ScanSummary {
  lines: number;
  malformed: number;
}

const BLANK = -2;
const MALFORMED = -1;

/**
 * Fills `line` from the line in [start, end) and returns the offset of its local address, or
 * BLANK / MALFORMED. The kernel's layout is fixed-width from the local address on, so every
 * field is checked where it must be rather than searched for.
 */
function readLine(buf: Buffer, start: number, end: number, addrLen: number, line: LineView): number {
  let p = start;
  while (p < end && buf[p] === 32) p++;
  if (p === end) return BLANK;
  while (p < end && buf[p] !== 32) p++; // "sl:"
  while (p < end && buf[p] === 32) p++;
  const local = p;
  const remote = local + addrLen + 6;
  const stateAt = remote + addrLen + 6;
  const isWellFormed =
    stateAt + 2 <= end &&
    buf[local + addrLen] === 58 &&
    buf[remote - 1] === 32 &&
    buf[remote + addrLen] === 58 &&
    buf[stateAt - 1] === 32 &&
    isHexRun(buf, local, addrLen) &&
    isHexRun(buf, local + addrLen + 1, 4) &&
    isHexRun(buf, remote, addrLen) &&
    isHexRun(buf, remote + addrLen + 1, 4) &&
    isHexRun(buf, stateAt, 2);
  if (!isWellFormed) return MALFORMED;
  line.remote = remote;
  line.localPort = hexN(buf, local + addrLen + 1, 4);
  line.remotePort = hexN(buf, remote + addrLen + 1, 4);
  line.state = hexN(buf, stateAt, 2);
  return local;
}

/**
 * Runs every check over every line of one table. `onMatch` returns false to stop (a row cap).
 * Lines that do not have the kernel's layout are counted, never thrown on: a fixture root can
 * hold anything.
 */
export function scanTable(
  buf: Buffer,
  proto: Proto,
  checks: readonly SocketCheck[],
  onMatch: (label: string, entry: SocketEntry) => boolean,
): ScanSummary {
  const addrLen = proto.endsWith('6') ? 32 : 8;
  const compiled = checks.flatMap((c) => {
    const test = compile(c, proto);
    return test === undefined ? [] : [{ label: c.label, test }];
  });
  const line: LineView = { remote: 0, localPort: 0, remotePort: 0, state: 0 };
  const summary: ScanSummary = { lines: 0, malformed: 0 };
  // Line 0 is the header.
  for (let start = buf.indexOf(10) + 1; start > 0 && start < buf.length;) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    const local = readLine(buf, start, end, addrLen, line);
    start = end + 1;
    if (local === BLANK) continue;
    summary.lines++;
    if (local === MALFORMED) {
      summary.malformed++;
      continue;
    }
    for (const check of compiled) {
      if (check.test(buf, line) && !onMatch(check.label, decode(buf, proto, local, line, end))) return summary;
    }
  }
  return summary;
}
