import { describe, expect, it } from 'vitest';
import { formatIp, ipNetProblem, netContains, parseIp, parseIpNet } from './ip.js';

describe('parseIp and formatIp round trip (RFC 5952 output)', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    { name: 'IPv4', input: '192.0.2.10', want: '192.0.2.10' },
    { name: 'IPv4 zeros', input: '0.0.0.0', want: '0.0.0.0' },
    { name: 'IPv4 max', input: '255.255.255.255', want: '255.255.255.255' },
    { name: 'IPv6 loopback', input: '::1', want: '::1' },
    { name: 'IPv6 unspecified', input: '::', want: '::' },
    {
      name: 'IPv6 upper case and leading zeros',
      input: '2001:0DB8:0000:0000:0000:0000:0000:0001',
      want: '2001:db8::1',
    },
    { name: 'IPv6 longest zero run wins', input: '2001:0:0:1:0:0:0:1', want: '2001:0:0:1::1' },
    { name: 'IPv6 first of equal runs wins', input: '2001:db8:0:0:1:0:0:1', want: '2001:db8::1:0:0:1' },
    { name: 'IPv6 a single zero group is not compressed', input: '2001:db8:0:1:1:1:1:1', want: '2001:db8:0:1:1:1:1:1' },
    { name: 'IPv4-mapped', input: '::ffff:203.0.113.50', want: '::ffff:203.0.113.50' },
    { name: 'IPv4-mapped in hex', input: '::ffff:cb00:7132', want: '::ffff:203.0.113.50' },
    { name: 'trailing ::', input: 'fe80::', want: 'fe80::' },
  ])('$name', ({ input, want }) => {
    const parsed = parseIp(input);
    expect(parsed).toBeDefined();
    expect(formatIp(parsed ?? { family: 4, words: [0] })).toBe(want);
  });

  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    { name: 'leading zero octet (octal in some tools)', input: '010.0.0.1' },
    { name: 'octet over 255', input: '256.1.1.1' },
    { name: 'three octets', input: '10.0.1' },
    { name: 'two ::', input: '1::2::3' },
    { name: 'nine groups', input: '1:2:3:4:5:6:7:8:9' },
    { name: 'seven groups without ::', input: '1:2:3:4:5:6:7' },
    { name: 'group of five hex digits', input: '12345::1' },
    { name: 'zone index', input: 'fe80::1%eth0' },
    { name: 'host name', input: 'example.com' },
    { name: 'empty', input: '' },
    { name: ':: that stands for no group', input: '1:2:3:4::5:6:7:8' },
  ])('refuses $name', ({ input }) => {
    expect(parseIp(input)).toBeUndefined();
  });
});

describe('parseIpNet', () => {
  it.each([
    { name: 'bare IPv4 is a /32', input: '10.1.2.3', want: { family: 4, prefix: 32, words: [0x0a010203] } },
    { name: 'host bits are masked off', input: '10.1.2.3/8', want: { family: 4, prefix: 8, words: [0x0a000000] } },
    { name: '/0', input: '0.0.0.0/0', want: { family: 4, prefix: 0, words: [0] } },
    {
      name: 'IPv6 /48',
      input: '2001:db8:bad:ffff::/48',
      want: { family: 6, prefix: 48, words: [0x20010db8, 0x0bad0000, 0, 0] },
    },
  ])('$name', ({ input, want }) => {
    expect(parseIpNet(input)).toMatchObject(want);
  });

  it.each([
    { name: 'prefix too long for IPv4', input: '10.0.0.0/33' },
    { name: 'prefix too long for IPv6', input: '::/129' },
    { name: 'leading zero prefix', input: '10.0.0.0/08' },
    { name: 'empty prefix', input: '10.0.0.0/' },
    { name: 'negative prefix', input: '10.0.0.0/-1' },
  ])('refuses $name, with a message naming what it expected', ({ input }) => {
    expect(parseIpNet(input)).toBeUndefined();
    expect(ipNetProblem(input)).toMatch(/expected an IPv4 or IPv6 address or CIDR/);
  });
});

describe('netContains', () => {
  const address = (text: string) => parseIp(text) ?? { family: 4 as const, words: [0] };
  const net = (text: string) => parseIpNet(text) ?? { family: 4 as const, words: [0], prefix: 32, masks: [0xffffffff] };
  // Alike on purpose (duplicates): {name, net, address, want} rows, one CIDR membership case per row; the target
  // evaluator's table shares only the row form.
  it.each([
    { name: 'inside an IPv4 /24', net: '203.0.113.0/24', address: '203.0.113.50', want: true },
    { name: 'outside an IPv4 /24', net: '203.0.113.0/24', address: '203.0.114.1', want: false },
    { name: 'exact IPv4', net: '127.0.0.1', address: '127.0.0.1', want: true },
    {
      name: 'IPv4-mapped address in an IPv4 net (Go does the same)',
      net: '203.0.113.0/24',
      address: '::ffff:203.0.113.50',
      want: true,
    },
    { name: 'plain IPv6 never in an IPv4 net', net: '0.0.0.0/0', address: '2001:db8::1', want: false },
    { name: 'IPv4 never in an IPv6 net', net: '::/0', address: '10.0.0.1', want: false },
    { name: 'inside an IPv6 /48', net: '2001:db8:bad::/48', address: '2001:db8:bad:1::5', want: true },
    { name: 'outside an IPv6 /48', net: '2001:db8:bad::/48', address: '2001:db8:bae::5', want: false },
    { name: 'prefix not on a word boundary', net: '2001:db8:8000::/33', address: '2001:db8:ffff::1', want: true },
  ])('$name', ({ net: n, address: a, want }) => {
    expect(netContains(net(n), address(a))).toBe(want);
  });
});
