import { describe, expect, it } from 'vitest';
import { canonicalCidr, cidrProblem, parseEndpoint } from './address.js';

describe('canonicalCidr: the text nft and iptables print', () => {
  it.each([
    { name: 'IPv4 block', input: '203.0.113.0/24', want: { family: 4, text: '203.0.113.0/24' } },
    { name: 'IPv4 host', input: '198.51.100.7', want: { family: 4, text: '198.51.100.7' } },
    { name: 'IPv4 /32 is a host', input: '198.51.100.7/32', want: { family: 4, text: '198.51.100.7' } },
    { name: 'IPv6 block, upper case', input: '2001:DB8:BAD::/48', want: { family: 6, text: '2001:db8:bad::/48' } },
    {
      name: 'IPv6 uncompressed',
      input: '2001:0db8:0000:0000:0000:0000:0000:0001',
      want: { family: 6, text: '2001:db8::1' },
    },
    { name: 'IPv6 longest zero run wins', input: '2001:0:0:1:0:0:0:1', want: { family: 6, text: '2001:0:0:1::1' } },
    { name: 'IPv6 first of equal runs', input: '2001:db8:0:0:1:0:0:1', want: { family: 6, text: '2001:db8::1:0:0:1' } },
    {
      name: 'IPv6 a single zero group is not ::',
      input: '2001:db8:0:1:1:1:1:1',
      want: { family: 6, text: '2001:db8:0:1:1:1:1:1' },
    },
    { name: 'IPv6 /128 is a host', input: '::1/128', want: { family: 6, text: '::1' } },
  ])('$name', ({ input, want }) => {
    expect(canonicalCidr(input)).toEqual(want);
  });
});

describe('cidrProblem', () => {
  it.each([
    { name: 'fine', input: '10.0.0.0/8', want: undefined },
    {
      name: 'host bits set',
      input: '10.1.2.3/8',
      want: /host bits are set in 10\.1\.2\.3\/8: did you mean 10\.0\.0\.0\/8\?/,
    },
    { name: 'IPv6 host bits set', input: '2001:db8::1/32', want: /did you mean 2001:db8::\/32\?/ },
    { name: '/0 would cut the broker off', input: '0.0.0.0/0', want: /-preset quarantine/ },
    { name: 'octet past 255', input: '10.0.0.256', want: /expected an IPv4 or IPv6 address/ },
    { name: 'a name', input: 'evil.example', want: /expected an IPv4 or IPv6 address/ },
    { name: 'prefix too long', input: '10.0.0.0/33', want: /prefix length from 0 to 32/ },
    { name: 'two ::', input: '2001::db8::1', want: /expected an IPv4 or IPv6 address/ },
    { name: 'nine groups', input: '1:2:3:4:5:6:7:8:9', want: /expected an IPv4 or IPv6 address/ },
  ])('$name', ({ input, want }) => {
    const got = cidrProblem(input);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(want);
  });
});

describe('parseEndpoint (quarantine -keep)', () => {
  it.each([
    { name: 'IPv4', input: '192.0.2.10:4222', want: { family: 4, address: '192.0.2.10', port: 4222 } },
    { name: 'IPv6 in brackets', input: '[2001:DB8::1]:443', want: { family: 6, address: '2001:db8::1', port: 443 } },
    { name: 'a host name', input: 'mig.example.com:4222', want: /not a name: DNS is blocked too/ },
    { name: 'no port', input: '192.0.2.10', want: /expected an address and port/ },
    { name: 'port 0', input: '192.0.2.10:0', want: /expected an address and port/ },
    { name: 'IPv6 without brackets', input: '2001:db8::1:443', want: /expected an address and port/ },
    { name: 'brackets around IPv4', input: '[192.0.2.10]:443', want: /brackets/ },
    { name: 'a block', input: '192.0.2.0/24:443', want: /not a name/ },
  ])('$name', ({ input, want }) => {
    const got = parseEndpoint(input);
    if (want instanceof RegExp) expect(got).toMatch(want);
    else expect(got).toEqual(want);
  });
});
