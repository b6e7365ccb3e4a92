import { describe, expect, it } from 'vitest';
import { parseFlags, splitHuntArgv } from '../../test/helpers/modules/console-side.js';
import { cliParams, exampleArgv } from '../../test/helpers/modules/recording.js';
import { boundHolds, nicParams, parseBound } from './params.js';
import { nicModule } from './spec.js';

// The contract every module owes (described fields, strict result, columns, examples) is checked
// for all of them in modules/registry.test.ts; here only what is nic's own.

const spec = nicModule;

describe('flags become parameters', () => {
  it.each([
    { name: 'a presence flag', input: 'mig nic -promisc', want: { promisc: true } },
    { name: 'promisc turned off', input: 'mig nic -promisc=false', want: { promisc: false } },
    { name: 'no flag: every interface', input: 'mig nic', want: {} },
    {
      name: 'repeated regexes and a state',
      input: "mig nic -name '^eth' -name '^en' -state down",
      want: { name: ['^eth', '^en'], state: 'down' },
    },
    {
      name: 'mac, driver, bounds',
      input: "mig nic -mac '^52:54' -driver virtio -mtu '>1500' -mtu '<9001' -speed 1000",
      want: { mac: ['^52:54'], driver: ['virtio'], mtu: ['>1500', '<9001'], speed: ['1000'] },
    },
  ])('$name', ({ input, want }) => {
    expect(cliParams(spec, exampleArgv(spec, input))).toEqual({ common: [], params: want });
  });

  it('-t stays the hunt target', () => {
    const { common, module } = splitHuntArgv(['-t', 'local', '-promisc'], spec);
    expect(common).toEqual(['-t', 'local']);
    expect(module).toEqual(['-promisc']);
  });

  it.each([
    {
      name: 'a state that is not one',
      input: ['-state', 'sideways'],
      want: /-state: expected one of up, down, got "sideways"/,
    },
    { name: 'promisc given a word', input: ['-promisc=yes'], want: /-promisc: expected true or false, got "yes"/ },
    { name: 'an unknown flag', input: ['-iface', 'eth0'], want: /unknown flag -iface/ },
  ])('refuses $name, naming the flag', ({ input, want }) => {
    expect(() => parseFlags(spec.cli.schema, input, spec.cli.flags)).toThrow(want);
  });
});

describe('nicParams', () => {
  it.each([
    { name: 'nothing: every interface', input: {} },
    {
      name: 'every check',
      input: {
        name: ['^eth'],
        mac: ['^52'],
        driver: ['e1000'],
        state: 'up',
        promisc: true,
        mtu: ['>1500'],
        speed: ['=1000'],
      },
    },
  ])('accepts $name', ({ input }) => {
    expect(nicParams.parse(input)).toEqual(input);
  });

  it.each([
    { name: 'a bad regex', input: { name: ['(eth'] }, wantPath: 'name.0', want: /not a valid RE2/ },
    { name: 'an empty MAC regex', input: { mac: [''] }, wantPath: 'mac.0', want: /empty string/ },
    { name: 'an empty list', input: { driver: [] }, wantPath: 'driver', want: /1/ },
    { name: 'too many values', input: { name: new Array<string>(65).fill('^eth') }, wantPath: 'name', want: /64/ },
    {
      name: 'a bound with two operators',
      input: { mtu: ['>=1500'] },
      wantPath: 'mtu.0',
      want: /expected a bound like >1500, <1000, =9000 or 9000, got ">=1500"/,
    },
    { name: 'a negative speed', input: { speed: ['-1'] }, wantPath: 'speed.0', want: /expected a bound/ },
    { name: 'a state that is not one', input: { state: 'UP' }, wantPath: 'state', want: /up|down/ },
    { name: 'an unknown field', input: { iface: 'eth0' }, wantPath: '', want: /iface/ },
  ])('refuses $name at "$wantPath"', ({ input, wantPath, want }) => {
    const issues = nicParams.safeParse(input).error?.issues ?? [];
    const issue = issues.find((i) => i.path.join('.') === wantPath);
    expect(issue?.message).toMatch(want);
  });
});

describe('bounds', () => {
  it.each([
    { text: '>1500', value: 9000, want: true },
    { text: '>1500', value: 1500, want: false },
    { text: '<1000', value: 100, want: true },
    { text: '=9000', value: 9000, want: true },
    { text: '9000', value: 1500, want: false },
  ])('$text holds for $value: $want', ({ text, value, want }) => {
    const bound = parseBound(text);
    expect(bound).toBeDefined();
    if (bound !== undefined) expect(boundHolds(bound, value)).toBe(want);
  });
});
