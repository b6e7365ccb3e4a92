import { describe, expect, it } from 'vitest';
import { cliParams } from '../../test/helpers/modules/recording.js';
import { parseTimeoutSeconds } from './params.js';
import { pingModule } from './spec.js';

// The contract every module owes (described fields, strict result, columns, examples) is checked
// for all of them in modules/registry.test.ts; here only what is ping's own.

const spec = pingModule;

describe('pingModule.isFound', () => {
  it.each([
    { name: 'any reachable attempt', rows: [{ isReachable: false }, { isReachable: true }], want: true },
    { name: 'none reachable', rows: [{ isReachable: false }, { isReachable: false }], want: false },
    { name: 'no rows', rows: [], want: false },
  ])('$name', ({ rows, want }) => {
    expect(pingModule.isFound?.(rows)).toBe(want);
  });
});

describe('MIG flags', () => {
  it.each([
    {
      name: 'icmp is the default protocol',
      input: ['-d', '10.0.0.1'],
      want: { destination: '10.0.0.1', protocol: 'icmp' },
    },
    {
      name: 'tcp with port, count and timeout in seconds',
      input: ['-d', 'db.example', '-p', 'tcp', '-dp', '5432', '-c', '5', '-timeout', '2'],
      want: { destination: 'db.example', protocol: 'tcp', destinationport: 5432, count: 5, timeout: 2 },
    },
    {
      name: 'timeout in milliseconds',
      input: ['-d', '10.0.0.1', '-timeout', '500ms'],
      want: { destination: '10.0.0.1', protocol: 'icmp', timeout: 0.5 },
    },
  ])('$name', ({ input, want }) => {
    expect(cliParams(spec, input).params).toEqual(want);
  });

  it('-t is the hunt target, not the timeout (every hunt owns -t)', () => {
    const { common, params } = cliParams(spec, ['-t', 'local', '-d', '10.0.0.1', '-timeout', '3s']);
    expect(common).toEqual(['-t', 'local']);
    expect(params).toMatchObject({ timeout: 3 });
  });

  it.each([
    {
      name: 'a timeout with a unit we do not take',
      input: ['-d', 'x', '-timeout', '5m'],
      want: /-timeout: .*expected seconds like 5, 5s or 1\.5s/,
    },
    {
      name: 'a protocol MIG did not have',
      input: ['-d', 'x', '-p', 'sctp'],
      want: /-p: expected one of icmp, tcp, udp, got "sctp"/,
    },
    { name: 'a port that is not a number', input: ['-d', 'x', '-dp', 'http'], want: /-dp: expected a number/ },
    { name: 'no destination', input: ['-p', 'tcp'], want: /-d/ },
  ])('refuses $name, naming the flag', ({ input, want }) => {
    expect(() => cliParams(spec, input)).toThrow(want);
  });

  it.each([
    { input: '5', want: 5 },
    { input: '1.5s', want: 1.5 },
    { input: '250ms', want: 0.25 },
    { input: '5m', want: undefined },
    { input: '', want: undefined },
  ])('parseTimeoutSeconds($input) = $want', ({ input, want }) => {
    expect(parseTimeoutSeconds(input)).toBe(want);
  });
});
