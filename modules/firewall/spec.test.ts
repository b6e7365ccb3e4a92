import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../protocol/zod-issues.js';
import { paramsOfCommand } from '../../test/helpers/modules/recording.js';
import { firewallModule, firewallParams, parseDurationSeconds } from './spec.js';
import { specContract, twoPersonContract } from '../../test/helpers/modules/firewall/response-contract.js';

const spec = firewallModule;

specContract(spec);
twoPersonContract(spec, { op: 'add', ips: ['203.0.113.0/24'], dryrun: true });

describe('firewall parameters: every wrong combination is named', () => {
  it.each([
    { name: 'add without a match', input: { op: 'add' }, wantIssue: /ips: add needs -ip, -port or -preset quarantine/ },
    {
      name: 'proto without port',
      input: { op: 'add', ips: ['10.0.0.0/8'], proto: 'tcp' },
      wantIssue: /proto: a protocol needs a port/,
    },
    {
      name: 'quarantine without keep',
      input: { op: 'add', preset: 'quarantine' },
      wantIssue: /keep: quarantine needs -keep <broker ip:port>/,
    },
    {
      name: 'quarantine with an ip',
      input: { op: 'add', preset: 'quarantine', keep: ['192.0.2.1:4222'], ips: ['10.0.0.0/8'] },
      wantIssue: /preset: quarantine blocks everything/,
    },
    {
      name: 'keep without quarantine',
      input: { op: 'add', ips: ['10.0.0.0/8'], keep: ['192.0.2.1:4222'] },
      wantIssue: /keep: keep goes with -preset quarantine/,
    },
    {
      name: 'keep given a name',
      input: { op: 'add', preset: 'quarantine', keep: ['mig.example:4222'] },
      wantIssue: /keep\.0: .*DNS is blocked too/,
    },
    {
      name: 'expiry on remove',
      input: { op: 'remove', rule: 'x', forSeconds: 60 },
      wantIssue: /forSeconds: only a block being added can expire/,
    },
    { name: 'remove without a target', input: { op: 'remove' }, wantIssue: /rule: remove needs -rule <id>/ },
    { name: 'list with a match', input: { op: 'list', ips: ['10.0.0.0/8'] }, wantIssue: /ips: list takes no match/ },
    { name: 'host bits', input: { op: 'add', ips: ['10.0.0.1/8'] }, wantIssue: /ips\.0: host bits are set/ },
    { name: 'port 0', input: { op: 'add', port: 0 }, wantIssue: /port: / },
    { name: 'rule id with a space', input: { op: 'remove', rule: 'no pg' }, wantIssue: /rule: expected a rule id/ },
    { name: 'longer than 30 days', input: { op: 'add', port: 22, forSeconds: 31 * 86_400 }, wantIssue: /forSeconds: / },
    { name: 'unknown field', input: { op: 'list', table: 'filter' }, wantIssue: /table/ },
  ])('refuses $name', ({ input, wantIssue }) => {
    const parsed = firewallParams.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error === undefined ? '' : describeIssues(parsed.error)).toMatch(wantIssue);
  });

  it.each([
    { name: 'list', input: { op: 'list' }, want: { op: 'list', direction: 'both', backend: 'auto', dryrun: false } },
    {
      name: 'timed port block',
      input: { op: 'add', port: 22, proto: 'tcp', direction: 'in', forSeconds: 60 },
      want: { op: 'add', port: 22, proto: 'tcp', direction: 'in', forSeconds: 60, backend: 'auto', dryrun: false },
    },
    {
      name: 'remove quarantine',
      input: { op: 'remove', preset: 'quarantine' },
      want: { op: 'remove', preset: 'quarantine', direction: 'both', backend: 'auto', dryrun: false },
    },
  ])('accepts $name', ({ input, want }) => {
    expect(firewallParams.parse(input)).toEqual(want);
  });
});

describe('mig firewall flags', () => {
  it.each([
    {
      name: '-for becomes seconds, -ip repeats',
      input: 'mig firewall -op add -ip 203.0.113.0/24 -ip 198.51.100.7 -direction out -for 2h',
      want: {
        op: 'add',
        ips: ['203.0.113.0/24', '198.51.100.7'],
        direction: 'out',
        forSeconds: 7200,
        backend: 'auto',
        dryrun: false,
      },
    },
    {
      name: 'quarantine with two kept brokers, dry run',
      input: 'mig firewall -op add -preset quarantine -keep 192.0.2.10:4222 -keep [2001:db8::1]:4222 -dryrun',
      want: {
        op: 'add',
        preset: 'quarantine',
        keep: ['192.0.2.10:4222', '[2001:db8::1]:4222'],
        direction: 'both',
        backend: 'auto',
        dryrun: true,
      },
    },
    {
      name: 'remove by rule on iptables',
      input: 'mig firewall -op remove -rule no-pg -backend iptables',
      want: { op: 'remove', rule: 'no-pg', direction: 'both', backend: 'iptables', dryrun: false },
    },
  ])('$name', ({ input, want }) => {
    expect(paramsOfCommand(spec, input)).toEqual(want);
  });

  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    {
      name: 'a duration without unit',
      input: 'mig firewall -op add -port 22 -for 90',
      want: /-for: expected a duration like 90s, 30m, 2h or 1d/,
    },
    {
      name: 'quarantine without keep',
      input: 'mig firewall -op add -preset quarantine',
      want: /quarantine needs -keep/,
    },
  ])('refuses $name', ({ input, want }) => {
    expect(() => paramsOfCommand(spec, input)).toThrow(want);
  });

  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    { input: '90s', want: 90 },
    { input: '30m', want: 1800 },
    { input: '2h', want: 7200 },
    { input: '1d', want: 86_400 },
    { input: '2 h', want: undefined },
    { input: '0m', want: undefined },
  ])('parseDurationSeconds($input) = $want', ({ input, want }) => {
    expect(parseDurationSeconds(input)).toBe(want);
  });
});
