import { describe, expect, it } from 'vitest';
import { checkForm, formFields, parseFlags } from '../../test/helpers/modules/console-side.js';
import { cliParams, exampleArgv } from '../../test/helpers/modules/recording.js';
import { captureFilter, SNAPLEN, tcpdumpArgs } from './capture-command.js';
import { parseDuration, snifferParams } from './params.js';
import { PeerTable } from './peers.js';
import { snifferModule } from './spec.js';

// The contract every module owes is checked in modules/registry.test.ts; here only sniffer's own.

const spec = snifferModule;

describe('flags become parameters', () => {
  it.each([
    {
      name: 'the issue example',
      input: 'mig sniffer -port 443 -host 203.0.113.7 -duration 30s',
      want: { ports: [443], hosts: ['203.0.113.7'], duration: '30s' },
    },
    {
      name: 'repeated hosts, protocol, direction, interface, count',
      input: 'mig sniffer -host 192.0.2.1 -host 2001:db8::1 -proto udp -direction out -iface eth0 -count 1',
      want: { hosts: ['192.0.2.1', '2001:db8::1'], proto: 'udp', direction: 'out', iface: 'eth0', count: 1 },
    },
    { name: 'nothing: any IP traffic', input: 'mig sniffer', want: {} },
  ])('$name', ({ input, want }) => {
    expect(cliParams(spec, exampleArgv(spec, input))).toEqual({ common: [], params: want });
  });

  it.each([
    { name: 'a port that is not a number', input: ['-port', 'https'], want: /-port/ },
    { name: 'a protocol not in the list', input: ['-proto', 'sctp'], want: /-proto: expected one of tcp, udp, icmp/ },
    {
      name: 'a direction not in the list',
      input: ['-direction', 'both'],
      want: /-direction: expected one of in, out, any/,
    },
  ])('refuses $name, naming the flag', ({ input, want }) => {
    expect(() => parseFlags(spec.cli.schema, input, spec.cli.flags)).toThrow(want);
  });
});

describe('the console form', () => {
  const fields = formFields(spec);
  it('builds the parameters the flags build, lists comma-separated', () => {
    const check = checkForm(spec, fields, { host: '203.0.113.7, 2001:db8::7', port: '443, 8443', duration: '2m' });
    expect(check).toEqual({
      fieldIssues: {},
      rootIssues: [],
      params: { hosts: ['203.0.113.7', '2001:db8::7'], ports: [443, 8443], duration: '2m' },
    });
  });

  it("says what is wrong beside the form, in the agent's words", () => {
    const check = checkForm(spec, fields, { host: 'evil.example', duration: '10m' });
    expect(check.params).toBeUndefined();
    expect(check.rootIssues.join('\n')).toMatch(/hosts\.0.*expected an IPv4 or IPv6 address/);
    expect(check.rootIssues.join('\n')).toMatch(/duration.*expected between 1s and 4m30s/);
  });
});

describe('snifferParams', () => {
  it('defaults: any interface, any direction, 30 seconds', () => {
    expect(snifferParams.parse({})).toEqual({ iface: 'any', direction: 'any', duration: '30s' });
  });

  it.each([
    {
      name: 'a host name (tcpdump would resolve it)',
      input: { hosts: ['evil.example'] },
      wantPath: 'hosts.0',
      want: /expected an IPv4 or IPv6 address/,
    },
    {
      name: 'a filter smuggled in a host',
      input: { hosts: ['1.2.3.4 or port 22'] },
      wantPath: 'hosts.0',
      want: /expected an IPv4 or IPv6 address/,
    },
    {
      name: 'a zone index',
      input: { hosts: ['fe80::1%eth0'] },
      wantPath: 'hosts.0',
      want: /expected an IPv4 or IPv6 address/,
    },
    { name: 'a CIDR', input: { hosts: ['10.0.0.0/8'] }, wantPath: 'hosts.0', want: /expected an IPv4 or IPv6 address/ },
    { name: 'port 0', input: { ports: [0] }, wantPath: 'ports.0', want: /1/ },
    { name: 'port 65536', input: { ports: [65536] }, wantPath: 'ports.0', want: /65535/ },
    { name: 'a port as a string', input: { ports: ['443'] }, wantPath: 'ports.0', want: /number/ },
    {
      name: 'an interface that is an option',
      input: { iface: '-w/tmp/x' },
      wantPath: 'iface',
      want: /expected an interface name/,
    },
    {
      name: 'an interface name of 16 characters',
      input: { iface: 'a'.repeat(16) },
      wantPath: 'iface',
      want: /at most 15/,
    },
    {
      name: 'five minutes',
      input: { duration: '5m' },
      wantPath: 'duration',
      want: /expected between 1s and 4m30s, got "5m"/,
    },
    { name: 'zero seconds', input: { duration: '0s' }, wantPath: 'duration', want: /between 1s and 4m30s/ },
    {
      name: 'an hour unit',
      input: { duration: '1h' },
      wantPath: 'duration',
      want: /expected a duration like 30s, 2m or 1m30s, got "1h"/,
    },
    { name: 'ports with ICMP', input: { proto: 'icmp', ports: [7] }, wantPath: 'ports', want: /ICMP has no ports/ },
    {
      name: 'too many hosts',
      input: { hosts: new Array<string>(17).fill('192.0.2.1') },
      wantPath: 'hosts',
      want: /16/,
    },
    { name: 'an unknown field', input: { payload: true }, wantPath: '', want: /payload/ },
  ])('refuses $name at "$wantPath"', ({ input, wantPath, want }) => {
    const issues = snifferParams.safeParse(input).error?.issues ?? [];
    const issue = issues.find((i) => i.path.join('.') === wantPath);
    expect(issue?.message).toMatch(want);
  });

  it.each([
    ['30s', 30_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['4m30s', 270_000],
    ['', undefined],
    ['30', undefined],
    ['1.5s', undefined],
  ])('duration %j is %s ms', (text, want) => {
    expect(parseDuration(text)).toBe(want);
  });
});

describe('the capture command', () => {
  it.each([
    { name: 'nothing: IP only', input: {}, want: '(ip or ip6)' },
    {
      name: 'the issue example',
      input: { hosts: ['203.0.113.7'], ports: [443] },
      want: '(ip or ip6) and host 203.0.113.7 and port 443',
    },
    {
      name: 'several of each, and a protocol',
      input: { hosts: ['192.0.2.1', '2001:db8::1'], ports: [80, 443], proto: 'tcp' },
      want: '(ip or ip6) and (host 192.0.2.1 or host 2001:db8::1) and (port 80 or port 443) and tcp',
    },
    { name: 'ICMP of both families', input: { proto: 'icmp' }, want: '(ip or ip6) and (icmp or icmp6)' },
  ])('filter: $name', ({ input, want }) => {
    expect(captureFilter(snifferParams.parse(input))).toBe(want);
  });

  it('argv: pcap on stdout, small snapshot, no promiscuous mode, no name lookups, the filter last', () => {
    const args = tcpdumpArgs(snifferParams.parse({ iface: 'eth0', direction: 'in', count: 1, ports: [22] }));
    expect(args).toEqual([
      '-i',
      'eth0',
      '-p',
      '-n',
      '-U',
      '--immediate-mode',
      '-s',
      String(SNAPLEN),
      '-w',
      '-',
      '-Q',
      'in',
      '-c',
      '1',
      '(ip or ip6) and port 22',
    ]);
  });

  it('refuses, even past the schema, a host that is not an address', () => {
    expect(() => captureFilter({ ...snifferParams.parse({}), hosts: ['1.2.3.4 or tcp'] })).toThrow(/not an IP address/);
    expect(() => tcpdumpArgs({ ...snifferParams.parse({}), iface: '-Z' })).toThrow(/not an interface name/);
  });
});

describe('peers', () => {
  const local = new Set(['10.0.0.1']);
  it('folds packets per peer: direction from the cooked header, else from local addresses', () => {
    const table = new PeerTable(local);
    table.add({ src: '10.0.0.1', dst: '203.0.113.7', proto: 'tcp', srcPort: 50000, dstPort: 443 }, 1000, 60);
    table.add({ src: '203.0.113.7', dst: '10.0.0.1', proto: 'tcp', srcPort: 443, dstPort: 50000 }, 3000, 1500);
    table.add(
      { src: '203.0.113.7', dst: '10.0.0.9', proto: 'tcp', srcPort: 443, dstPort: 50001, direction: 'in' },
      2000,
      40,
    );
    table.add(
      { src: '10.0.0.1', dst: '198.51.100.1', proto: 'udp', srcPort: 5353, dstPort: 53, direction: 'out' },
      1500,
      70,
    );
    expect(table.summaries()).toEqual([
      {
        peer: '203.0.113.7',
        proto: 'tcp',
        packets: 3,
        bytes: 1600,
        packetsIn: 2,
        packetsOut: 1,
        firstSeen: '1970-01-01T00:00:01.000Z',
        lastSeen: '1970-01-01T00:00:03.000Z',
        localPorts: [50000, 50001],
        peerPorts: [443],
      },
      {
        peer: '198.51.100.1',
        proto: 'udp',
        packets: 1,
        bytes: 70,
        packetsIn: 0,
        packetsOut: 1,
        firstSeen: '1970-01-01T00:00:01.500Z',
        lastSeen: '1970-01-01T00:00:01.500Z',
        localPorts: [5353],
        peerPorts: [53],
      },
    ]);
  });

  it('keeps at most 1024 peers and 16 ports each, counting the rest', () => {
    const table = new PeerTable(local);
    for (let i = 0; i < 1100; i++)
      table.add(
        { src: `10.1.${i >> 8}.${i & 0xff}`, dst: '10.0.0.1', proto: 'udp', srcPort: i + 1, dstPort: 53 },
        i,
        1,
      );
    for (let port = 1; port <= 40; port++)
      table.add({ src: '10.1.0.0', dst: '10.0.0.1', proto: 'udp', srcPort: port + 2000, dstPort: port }, 0, 1);
    expect(table.summaries()).toHaveLength(1024);
    expect(table.overflowPackets).toBe(76);
    expect(table.summaries()[0]?.localPorts).toHaveLength(16);
  });
});
