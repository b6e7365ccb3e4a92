import { describe, expect, it } from 'vitest';
import { parseIpNet, type IpNet } from './ip.js';
import { scanTable, type Proto, type SocketCheck, type SocketEntry } from './proc-table.js';
import {
  generateTcpTable,
  HEADERS,
  procHex,
  procLine,
  tableText,
  type SocketSpec,
} from '../../test/helpers/modules/netstat.js';

const LISTEN = 0x0a;
const ESTABLISHED = 0x01;
const UNCONN = 0x07;

const connected = (value: string): SocketCheck => ({
  kind: 'connectedip',
  label: `connectedip:${value}`,
  net: parseIpNet(value) as IpNet,
});
const listening = (port: number): SocketCheck => ({ kind: 'listeningport', label: `listeningport:${port}`, port });

function scan(
  proto: Proto,
  sockets: readonly SocketSpec[],
  checks: readonly SocketCheck[],
): { label: string; entry: SocketEntry }[] {
  const found: { label: string; entry: SocketEntry }[] = [];
  scanTable(Buffer.from(tableText(proto, sockets)), proto, checks, (label, entry) => found.push({ label, entry }) > 0);
  return found;
}

const sock = (
  local: string,
  localPort: number,
  remote: string,
  remotePort: number,
  state: number,
  inode = 1,
): SocketSpec => ({ local, localPort, remote, remotePort, state, inode });

// Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
// table's.
describe('procHex writes addresses as the kernel does (little-endian words)', () => {
  it.each([
    { name: 'IPv4 loopback', input: '127.0.0.1', want: '0100007F' },
    { name: 'IPv4', input: '192.0.2.10', want: '0A0200C0' },
    { name: 'IPv6 loopback', input: '::1', want: '00000000000000000000000001000000' },
    { name: 'IPv4-mapped', input: '::ffff:127.0.0.1', want: '0000000000000000FFFF00000100007F' },
  ])('$name', ({ input, want }) => {
    expect(procHex(input)).toBe(want);
  });
});

describe('scanTable', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    {
      name: 'connectedip: a remote IPv4 inside the CIDR matches, others and listeners do not',
      proto: 'tcp' as const,
      sockets: [
        sock('10.0.0.5', 22, '203.0.113.9', 5000, ESTABLISHED),
        sock('10.0.0.5', 22, '198.51.100.1', 5001, ESTABLISHED),
        sock('0.0.0.0', 80, '0.0.0.0', 0, LISTEN),
      ],
      checks: [connected('203.0.113.0/24')],
      want: [
        { label: 'connectedip:203.0.113.0/24', remoteAddress: '203.0.113.9', remotePort: 5000, state: 'ESTABLISHED' },
      ],
    },
    {
      name: 'connectedip 0.0.0.0/0 is every connection, never a listener',
      proto: 'tcp' as const,
      sockets: [sock('0.0.0.0', 80, '0.0.0.0', 0, LISTEN), sock('10.0.0.5', 80, '10.9.9.9', 4000, ESTABLISHED)],
      checks: [connected('0.0.0.0/0')],
      want: [{ remoteAddress: '10.9.9.9' }],
    },
    // Alike on purpose (duplicates): one row per socket table and search; tcp6 rows look alike, and the addresses in
    // each are the case.
    {
      name: 'connectedip IPv4 finds IPv4-mapped peers in tcp6',
      proto: 'tcp6' as const,
      sockets: [
        sock('::ffff:10.0.0.5', 443, '::ffff:203.0.113.9', 5000, ESTABLISHED),
        sock('2001:db8::5', 443, '2001:db8::9', 5000, ESTABLISHED),
      ],
      checks: [connected('203.0.113.9')],
      want: [{ localAddress: '::ffff:10.0.0.5', remoteAddress: '::ffff:203.0.113.9' }],
    },
    {
      name: 'connectedip IPv6 CIDR across a word boundary',
      proto: 'tcp6' as const,
      sockets: [
        sock('2001:db8::5', 443, '2001:db8:bad:1::9', 40000, ESTABLISHED),
        sock('2001:db8::5', 443, '2001:db8:bae::9', 40001, ESTABLISHED),
      ],
      checks: [connected('2001:db8:bad::/47')],
      want: [{ remoteAddress: '2001:db8:bad:1::9', remotePort: 40000 }],
    },
    {
      name: 'an IPv6 net never matches the IPv4 table',
      proto: 'tcp' as const,
      sockets: [sock('10.0.0.5', 22, '10.0.0.9', 5000, ESTABLISHED)],
      checks: [connected('::/0')],
      want: [],
    },
    {
      name: 'listeningport: TCP LISTEN only, not connections on that port',
      proto: 'tcp' as const,
      sockets: [sock('0.0.0.0', 22, '0.0.0.0', 0, LISTEN, 7), sock('10.0.0.5', 22, '10.0.0.9', 5000, ESTABLISHED)],
      checks: [listening(22)],
      want: [{ label: 'listeningport:22', localAddress: '0.0.0.0', localPort: 22, state: 'LISTEN', inode: 7 }],
    },
    {
      name: 'listeningport: UDP bound without a peer, reported UNCONN',
      proto: 'udp' as const,
      sockets: [sock('0.0.0.0', 53, '0.0.0.0', 0, UNCONN), sock('10.0.0.5', 53, '10.0.0.9', 53, ESTABLISHED)],
      checks: [listening(53)],
      want: [{ proto: 'udp', localPort: 53, state: 'UNCONN' }],
    },
    {
      name: 'a socket matching two checks gives two matches',
      proto: 'udp6' as const,
      sockets: [sock('2001:db8::5', 123, '2001:db8::9', 123, ESTABLISHED)],
      checks: [connected('2001:db8::/32'), connected('2001:db8::9')],
      want: [{ label: 'connectedip:2001:db8::/32' }, { label: 'connectedip:2001:db8::9' }],
    },
  ])('$name', ({ proto, sockets, checks, want }) => {
    const found = scan(proto, sockets, checks).map(({ label, entry }) => ({ label, ...entry }));
    expect(found).toHaveLength(want.length);
    want.forEach((w, i) => expect(found[i]).toMatchObject(w));
  });

  it('decodes uid and inode from their columns', () => {
    const [match] = scan(
      'tcp',
      [
        {
          local: '10.0.0.5',
          localPort: 22,
          remote: '10.0.0.9',
          remotePort: 5000,
          state: ESTABLISHED,
          uid: 1000,
          inode: 424242,
        },
      ],
      [connected('10.0.0.9')],
    );
    expect(match?.entry).toEqual({
      proto: 'tcp',
      localAddress: '10.0.0.5',
      localPort: 22,
      remoteAddress: '10.0.0.9',
      remotePort: 5000,
      state: 'ESTABLISHED',
      uid: 1000,
      inode: 424242,
    });
  });

  it('counts lines not in the kernel layout and skips them; blank lines are not lines', () => {
    const good = procLine('tcp', 0, sock('10.0.0.5', 22, '10.0.0.9', 5000, ESTABLISHED));
    const text = [HEADERS.tcp, good, '   1: 0100007F:ZZZZ 00000000:0000 0A', '   2: garbage', '', '  ', good].join(
      '\n',
    );
    const found: string[] = [];
    const summary = scanTable(Buffer.from(text), 'tcp', [connected('10.0.0.9')], (label) => found.push(label) > 0);
    expect(summary).toEqual({ lines: 4, malformed: 2 });
    expect(found).toHaveLength(2);
  });

  it('a header alone, or an empty file, holds no lines', () => {
    expect(scanTable(Buffer.from(`${HEADERS.tcp}\n`), 'tcp', [listening(22)], () => true)).toEqual({
      lines: 0,
      malformed: 0,
    });
    expect(scanTable(Buffer.alloc(0), 'tcp', [listening(22)], () => true)).toEqual({ lines: 0, malformed: 0 });
  });

  it('stops as soon as onMatch says so', () => {
    const table = Buffer.from(generateTcpTable(5000));
    let calls = 0;
    const summary = scanTable(table, 'tcp', [connected('127.0.0.1')], () => ++calls < 2);
    expect(calls).toBe(2);
    expect(summary.lines).toBeLessThan(5000);
  });

  it('finds every needle of a generated 50,000-line table', () => {
    const table = Buffer.from(generateTcpTable(50_000));
    let needles = 0;
    const summary = scanTable(table, 'tcp', [connected('127.0.0.1')], () => ++needles > 0);
    expect(summary).toEqual({ lines: 50_000, malformed: 0 });
    expect(needles).toBe(50);
  });
});
