import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIp } from './ip.js';
import { parseArp, parseFibTrie, parseIfInet6 } from './host-tables.js';
import { FIXTURES } from '../../test/helpers/modules/netstat.js';

const fixture = (path: string): string => readFileSync(join(FIXTURES, path), 'latin1');

describe('parseArp', () => {
  it('reads complete entries and skips incomplete ones (flags 0x0, zero MAC)', () => {
    const got = parseArp(fixture('proc/net/arp')).map((n) => ({ ip: formatIp(n.address), mac: n.mac, iface: n.iface }));
    expect(got).toEqual([
      { ip: '192.0.2.1', mac: '00:50:56:c0:00:08', iface: 'eth0' },
      { ip: '192.0.2.77', mac: '8c:70:5a:12:34:56', iface: 'eth0' },
      { ip: '10.20.3.4', mac: '52:54:00:ab:cd:ef', iface: 'wlan0' },
    ]);
  });

  it.each([
    { name: 'bad IP', input: '300.1.1.1  0x1 0x2 00:50:56:c0:00:08 * eth0' },
    { name: 'bad MAC', input: '10.0.0.1  0x1 0x2 00:50:56:zz:00:08 * eth0' },
    { name: 'missing device', input: '10.0.0.1  0x1 0x2 00:50:56:c0:00:08 *' },
  ])('skips a line with a $name', ({ input }) => {
    expect(parseArp(`IP address HW type Flags HW address Mask Device\n${input}\n`)).toEqual([]);
  });
});

describe('local addresses', () => {
  it('fib_trie: every /32 host LOCAL leaf once, never the /8 loopback route or broadcasts', () => {
    expect(parseFibTrie(fixture('proc/net/fib_trie')).map((a) => formatIp(a.address))).toEqual([
      '10.8.0.1',
      '127.0.0.1',
      '192.0.2.10',
    ]);
  });

  it('if_inet6: network-order hex with the interface name', () => {
    const got = parseIfInet6(fixture('proc/net/if_inet6')).map((a) => ({ ip: formatIp(a.address), iface: a.iface }));
    expect(got).toEqual([
      { ip: '::1', iface: 'lo' },
      { ip: '2001:db8:1::10', iface: 'eth0' },
      { ip: 'fe80::8e70:5aff:feaa:bbcc', iface: 'eth0' },
    ]);
  });
});
