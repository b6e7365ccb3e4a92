import { describe, expect, it } from 'vitest';
import { ethernet, ipv4Packet, ipv6Packet, sll, sll2 } from '../../test/helpers/modules/sniffer/pcap-bytes.js';
import { decodePacket, ipv6Text, LINKTYPE } from './packet.js';

// Header-deep decoding: addresses, protocol, ports, direction; payload never looked at.

const SECRET = Buffer.from('PAYLOAD-SECRET-do-not-leak');

describe('decodePacket', () => {
  it.each([
    {
      name: 'Ethernet, IPv4, TCP',
      linktype: LINKTYPE.ETHERNET,
      data: ethernet(0x0800, ipv4Packet('192.0.2.10', '203.0.113.7', 6, 51000, 443, SECRET)),
      want: { src: '192.0.2.10', dst: '203.0.113.7', proto: 'tcp', srcPort: 51000, dstPort: 443 },
    },
    {
      name: 'Ethernet with a VLAN tag, IPv4, UDP',
      linktype: LINKTYPE.ETHERNET,
      data: ethernet(0x0800, ipv4Packet('192.0.2.10', '198.51.100.1', 17, 5353, 53), 42),
      want: { src: '192.0.2.10', dst: '198.51.100.1', proto: 'udp', srcPort: 5353, dstPort: 53 },
    },
    {
      name: 'Linux cooked (SLL), outgoing',
      linktype: LINKTYPE.LINUX_SLL,
      data: sll(4, 0x0800, ipv4Packet('10.0.0.1', '10.0.0.2', 17, 1000, 2000)),
      want: { src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', srcPort: 1000, dstPort: 2000, direction: 'out' },
    },
    {
      name: 'Linux cooked v2 (SLL2, -i any), to this host',
      linktype: LINKTYPE.LINUX_SLL2,
      data: sll2(0, 0x0800, ipv4Packet('10.0.0.2', '10.0.0.1', 6, 2000, 22)),
      want: { src: '10.0.0.2', dst: '10.0.0.1', proto: 'tcp', srcPort: 2000, dstPort: 22, direction: 'in' },
    },
    {
      name: 'IPv6, UDP, after a hop-by-hop header',
      linktype: LINKTYPE.LINUX_SLL2,
      data: sll2(0, 0x86dd, ipv6Packet('2001:db8::2', '2001:db8::1', 17, 547, 546, [17, 0, 0, 0, 0, 0, 0, 0])),
      want: { src: '2001:db8::2', dst: '2001:db8::1', proto: 'udp', srcPort: 547, dstPort: 546, direction: 'in' },
    },
    {
      name: 'raw IPv6 TCP',
      linktype: LINKTYPE.RAW,
      data: Uint8Array.from(ipv6Packet('fe80::1', 'ff02::1:ff00:1', 6, 80, 8080)),
      want: { src: 'fe80::1', dst: 'ff02::1:ff00:1', proto: 'tcp', srcPort: 80, dstPort: 8080 },
    },
    {
      name: 'ICMP: no ports',
      linktype: LINKTYPE.ETHERNET,
      data: ethernet(0x0800, ipv4Packet('192.0.2.1', '192.0.2.2', 1, 0, 0)),
      want: { src: '192.0.2.1', dst: '192.0.2.2', proto: 'icmp' },
    },
    {
      name: 'a later IPv4 fragment: its first bytes are not ports',
      linktype: LINKTYPE.ETHERNET,
      data: ethernet(0x0800, ipv4Packet('192.0.2.1', '192.0.2.2', 17, 1, 2, new Uint8Array(0), 185)),
      want: { src: '192.0.2.1', dst: '192.0.2.2', proto: 'udp' },
    },
    {
      name: 'BSD loopback (NULL), IPv4',
      linktype: LINKTYPE.NULL,
      data: Uint8Array.from([2, 0, 0, 0, ...ipv4Packet('127.0.0.1', '127.0.0.1', 17, 9, 10)]),
      want: { src: '127.0.0.1', dst: '127.0.0.1', proto: 'udp', srcPort: 9, dstPort: 10 },
    },
  ])('$name', ({ linktype, data, want }) => {
    const headers = decodePacket(linktype, data);
    expect(headers).toEqual(want);
    expect(JSON.stringify(headers)).not.toContain('SECRET');
  });

  it.each([
    { name: 'ARP', linktype: LINKTYPE.ETHERNET, data: ethernet(0x0806, new Array<number>(28).fill(1)) },
    { name: 'an unknown link type', linktype: 147, data: new Uint8Array(60) },
    { name: 'a header cut short', linktype: LINKTYPE.LINUX_SLL2, data: sll2(0, 0x0800, [0x45, 0, 0]) },
    { name: 'an empty packet', linktype: LINKTYPE.ETHERNET, data: new Uint8Array(0) },
    {
      name: 'an IPv4 header length below 20',
      linktype: LINKTYPE.RAW,
      data: Uint8Array.from([0x41, ...new Array<number>(30).fill(0)]),
    },
    {
      name: 'IPv6 claimed, IPv4 inside',
      linktype: LINKTYPE.LINUX_SLL2,
      data: sll2(0, 0x86dd, ipv4Packet('1.2.3.4', '5.6.7.8', 6, 1, 2)),
    },
  ])('answers undefined for $name, without throwing', ({ linktype, data }) => {
    expect(decodePacket(linktype, data)).toBeUndefined();
  });

  it('survives random bytes under every link type', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (const linktype of Object.values(LINKTYPE))
      for (let i = 0; i < 500; i++) {
        const data = Uint8Array.from({ length: i % 90 }, next);
        expect(() => decodePacket(linktype, data)).not.toThrow();
      }
  });

  it('stops walking a hostile chain of IPv6 extension headers', () => {
    const chain = new Array<number>(20).fill(0).flatMap(() => [0, 0, 0, 0, 0, 0, 0, 0]);
    const headers = decodePacket(LINKTYPE.RAW, Uint8Array.from(ipv6Packet('::1', '::2', 0, 0, 0, chain)));
    expect(headers).toMatchObject({ src: '::1', dst: '::2' });
    expect(headers).not.toHaveProperty('srcPort');
  });
});

describe('ipv6Text', () => {
  it.each([
    ['2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1]],
    ['::', new Array<number>(16).fill(0)],
    ['1:0:2:0:3:0:4:0', [0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0]],
    ['1::4:0:0:0', [0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0]],
  ])('%s', (want, groups) => {
    expect(ipv6Text(Uint8Array.from(groups), 0)).toBe(want);
  });
});
