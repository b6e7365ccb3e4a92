import { describe, expect, it } from 'vitest';
import { splitHuntArgv } from '../../test/helpers/modules/console-side.js';
import { parseFlags } from '../../test/helpers/modules/console-side.js';
import { cliParams, exampleArgv } from '../../test/helpers/modules/recording.js';
import { netstatParams } from './params.js';
import { netstatModule } from './spec.js';

// The contract every module owes (described fields, strict result, columns, examples) is checked
// for all of them in modules/registry.test.ts; here only what is netstat's own.

const spec = netstatModule;

describe('netstatModule result', () => {
  it('the owning command line cannot ride along in a row', () => {
    expect(netstatModule.result.safeParse({ check: 'listeningport:22' }).success).toBe(true);
    expect(netstatModule.result.safeParse({ check: 'listeningport:22', cmdline: '/usr/sbin/sshd -D' }).success).toBe(
      false,
    );
  });
});

describe('flags become MIG parameters', () => {
  it.each([
    {
      name: 'one of each',
      input: 'mig netstat -lm ^8c -nm ^00 -li 10.0.0.1 -ni 10.0.0.0/8 -ci 2001:db8::/32 -lp 443',
      want: {
        localmac: ['^8c'],
        neighbormac: ['^00'],
        localip: ['10.0.0.1'],
        neighborip: ['10.0.0.0/8'],
        connectedip: ['2001:db8::/32'],
        listeningport: [443],
      },
    },
    {
      name: 'repeated flags',
      input: 'mig netstat -ci 10.0.0.1 -ci 10.0.0.2 -lp 22 -lp 80',
      want: { connectedip: ['10.0.0.1', '10.0.0.2'], listeningport: [22, 80] },
    },
    { name: 'a single flag', input: 'mig netstat -lp 22', want: { listeningport: [22] } },
  ])('$name', ({ input, want }) => {
    expect(cliParams(spec, exampleArgv(spec, input))).toEqual({ common: [], params: want });
  });

  it('-t stays the hunt target', () => {
    const { common, module } = splitHuntArgv(['-t', 'local', '-ci', '10.0.0.1'], spec);
    expect(common).toEqual(['-t', 'local']);
    expect(module).toEqual(['-ci', '10.0.0.1']);
  });

  it.each([
    { name: 'a port that is not a number', input: ['-lp', 'https'], want: /-lp: expected a number, got "https"/ },
    { name: 'an unknown flag', input: ['-namespaces'], want: /unknown flag -namespaces/ },
  ])('refuses $name, naming the flag', ({ input, want }) => {
    expect(() => parseFlags(spec.cli.schema, input, spec.cli.flags)).toThrow(want);
  });
});

describe('netstatParams', () => {
  it.each([
    { name: 'IPv4 CIDR', input: { connectedip: ['10.0.0.0/8'] } },
    { name: 'IPv6 address', input: { localip: ['fe80::1'] } },
    { name: 'MIG string port', input: { listeningport: ['443'] }, want: { listeningport: [443] } },
  ])('accepts $name', ({ input, want }) => {
    expect(netstatParams.parse(input)).toEqual(want ?? input);
  });

  it.each([
    { name: 'port 0', input: { listeningport: [0] }, wantPath: 'listeningport.0' },
    { name: 'port with letters', input: { listeningport: ['44a'] }, wantPath: 'listeningport.0' },
    { name: 'IP with a zone', input: { neighborip: ['fe80::1%eth0'] }, wantPath: 'neighborip.0' },
    { name: 'empty MAC regex', input: { neighbormac: [''] }, wantPath: 'neighbormac.0' },
    { name: 'empty list', input: { connectedip: [] }, wantPath: 'connectedip' },
    {
      name: 'too many values',
      input: { connectedip: new Array<string>(257).fill('10.0.0.1') },
      wantPath: 'connectedip',
    },
  ])('refuses $name at $wantPath', ({ input, wantPath }) => {
    const issues = netstatParams.safeParse(input).error?.issues ?? [];
    expect(issues.map((i) => i.path.join('.'))).toContain(wantPath);
  });
});
