import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../protocol/zod-issues.js';
import { hexProblem, memoryParams } from './params.js';

function problems(params: unknown): string {
  const parsed = memoryParams.safeParse(params);
  return parsed.success ? '' : describeIssues(parsed.error, 'parameters');
}

describe('memoryParams accepts', () => {
  it.each([
    {
      name: 'a MIG search object as MIG wrote it',
      input: {
        names: ['^nginx$'],
        libraries: ['libssl'],
        options: { matchall: true, offset: 0, maxlength: 0, logfailures: false },
      },
    },
    { name: 'contents and bytes', input: { contents: ['stratum\\+tcp://'], bytes: ['6d69672e6f7267', 'DEADBEEF'] } },
    {
      name: 'matchall false means matchany (MIG)',
      input: { names: ['a'], contents: ['b'], options: { matchall: false } },
    },
    { name: 'a pid list', input: { contents: ['x'], pids: [1, 4_194_304] } },
    { name: 'a description', input: { description: 'ebury', libraries: ['libkeyutils\\.so\\.1\\.9'] } },
  ])('$name', ({ input }) => {
    expect(problems(input)).toBe('');
  });

  it('applies the option defaults', () => {
    expect(memoryParams.parse({ names: ['x'] }).options).toEqual({ offset: 0, maxlength: 0, logfailures: false });
  });
});

describe('memoryParams refuses, naming the field', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    {
      name: 'no check at all',
      input: { options: { matchall: true } },
      want: 'parameters: expected at least one check (names, libraries, contents, bytes), got none',
    },
    {
      name: 'empty lists are no checks',
      input: { names: [], bytes: [] },
      want: 'parameters: expected at least one check (names, libraries, contents, bytes), got none',
    },
    {
      name: 'a regex RE2 refuses',
      input: { names: ['(?<=x)y'] },
      want: 'parameters.names.0: not a valid RE2 regular expression',
    },
    {
      name: 'an empty content regex',
      input: { contents: [''] },
      want: 'parameters.contents.0: expected a regular expression, got an empty string',
    },
    {
      name: 'odd hex',
      input: { bytes: ['abc'] },
      want: 'parameters.bytes.0: expected an even number of hex digits (two per byte), got 3',
    },
    {
      name: 'hex with 0x',
      input: { bytes: ['0xdead'] },
      want: 'parameters.bytes.0: expected hex bytes without a leading 0x (MIG\'s syntax), got "0xdead"',
    },
    {
      name: 'not hex',
      input: { bytes: ['zz'] },
      want: 'parameters.bytes.0: expected only hex digits 0-9 a-f, got "zz"',
    },
    {
      name: 'matchall and matchany',
      input: { names: ['x'], options: { matchall: true, matchany: true } },
      want: 'parameters.options: matchall and matchany are exclusive, got both true',
    },
    {
      name: 'neither',
      input: { names: ['x'], options: { matchall: false, matchany: false } },
      want: 'parameters.options: expected matchall or matchany to be true, got both false',
    },
    {
      name: 'a negative offset',
      input: { names: ['x'], options: { offset: -1 } },
      want: 'parameters.options.offset: Too small',
    },
    {
      name: 'an offset past 2^53',
      input: { names: ['x'], options: { offset: 2 ** 64 } },
      want: 'parameters.options.offset: Too big',
    },
    {
      name: 'a fractional maxlength',
      input: { names: ['x'], options: { maxlength: 1.5 } },
      want: 'parameters.options.maxlength: Invalid input: expected int',
    },
    {
      name: 'an unknown option',
      input: { names: ['x'], options: { maxdepth: 3 } },
      want: 'parameters.options: Unrecognized key: "maxdepth"',
    },
    {
      name: 'an unknown field',
      input: { names: ['x'], searches: {} },
      want: 'parameters: Unrecognized key: "searches"',
    },
    { name: 'pid 0', input: { names: ['x'], pids: [0] }, want: 'parameters.pids.0: Too small' },
    { name: 'an empty pid list', input: { names: ['x'], pids: [] }, want: 'parameters.pids: Too small' },
  ])('$name', ({ input, want }) => {
    expect(problems(input)).toContain(want);
  });

  it('too many content regexes', () => {
    expect(problems({ contents: Array.from({ length: 65 }, (_, i) => `x${i}`) })).toContain(
      'parameters.contents: Too big',
    );
  });
});

describe('hexProblem', () => {
  it.each([
    { name: 'lower case', input: 'deadbeef', want: undefined },
    { name: 'upper case', input: 'DEADBEEF', want: undefined },
    { name: 'empty', input: '', want: 'expected hex bytes like 6d6967, got an empty string' },
    {
      name: 'one byte too many',
      input: 'ab'.repeat(4097),
      want: 'expected at most 4096 bytes (8192 hex digits), got 4097',
    },
  ])('$name', ({ input, want }) => {
    expect(hexProblem(input)).toBe(want);
  });
});
