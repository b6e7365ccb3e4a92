import { describe, expect, it } from 'vitest';
import { checkForm, formFields, parseFlags } from '../../test/helpers/modules/console-side.js';
import { cliParams, exampleArgv } from '../../test/helpers/modules/recording.js';
import { blockdevParams, patternBytes } from './params.js';
import { PatternCounter } from './search.js';
import { blockdevModule } from './spec.js';

// The contract every module owes is checked in modules/registry.test.ts; here only blockdev's own.

const spec = blockdevModule;

describe('flags become parameters', () => {
  it.each([
    { name: 'no flag: the device list', input: 'mig blockdev', want: {} },
    {
      name: 'a boot sector hash',
      input: 'mig blockdev -op hash -device /dev/sda -length 512',
      want: { op: 'hash', device: '/dev/sda', length: 512 },
    },
    {
      name: 'several hash kinds',
      input: 'mig blockdev -op hash -device /dev/sda1 -offset 1024 -hash md5 -hash sha3_256',
      want: { op: 'hash', device: '/dev/sda1', offset: 1024, hashes: ['md5', 'sha3_256'] },
    },
    {
      name: 'a search',
      input: "mig blockdev -op search -device /dev/vda -pattern 'eb 52 90' -maxoffsets 5",
      want: { op: 'search', device: '/dev/vda', pattern: 'eb 52 90', maxOffsets: 5 },
    },
  ])('$name', ({ input, want }) => {
    expect(cliParams(spec, exampleArgv(spec, input))).toEqual({ common: [], params: want });
  });

  it.each([
    { name: 'an unknown op', input: ['-op', 'write'], want: /-op: expected one of list, hash, search, got "write"/ },
    { name: 'an unknown hash kind', input: ['-hash', 'crc32'], want: /-hash: expected one of md5/ },
  ])('refuses $name, naming the flag', ({ input, want }) => {
    expect(() => parseFlags(spec.cli.schema, input, spec.cli.flags)).toThrow(want);
  });
});

describe('the console form', () => {
  const fields = formFields(spec);
  it('builds the parameters the flags build', () => {
    const check = checkForm(spec, fields, { op: 'hash', device: '/dev/sda', length: '512', hash: 'sha256, md5' });
    expect(check).toEqual({
      fieldIssues: {},
      rootIssues: [],
      params: { op: 'hash', device: '/dev/sda', length: 512, hashes: ['sha256', 'md5'] },
    });
  });

  it("refuses a search without a pattern, in the agent's words", () => {
    const check = checkForm(spec, fields, { op: 'search', device: '/dev/sda' });
    expect(check.params).toBeUndefined();
    expect(check.rootIssues.join('\n')).toMatch(/pattern.*search needs -pattern/);
  });
});

describe('blockdevParams', () => {
  it('defaults to the list', () => {
    expect(blockdevParams.parse({})).toEqual({ op: 'list', offset: 0, maxOffsets: 16 });
  });

  it.each([
    {
      name: 'a device outside /dev',
      input: { op: 'hash', device: '/tmp/disk.img' },
      wantPath: 'device',
      want: /under \/dev/,
    },
    { name: 'a relative device', input: { op: 'hash', device: 'sda' }, wantPath: 'device', want: /under \/dev/ },
    {
      name: 'a .. segment',
      input: { op: 'hash', device: '/dev/disk/../../etc/passwd' },
      wantPath: 'device',
      want: /under \/dev/,
    },
    { name: 'a length of 0', input: { op: 'hash', device: '/dev/sda', length: 0 }, wantPath: 'length', want: /1/ },
    {
      name: 'a pattern of 257 bytes',
      input: { op: 'search', device: '/dev/sda', pattern: 'ab'.repeat(257) },
      wantPath: 'pattern',
      want: /at most 256 bytes, got 257/,
    },
    {
      name: 'a pattern that is not hex',
      input: { op: 'search', device: '/dev/sda', pattern: 'MZ' },
      wantPath: 'pattern',
      want: /expected bytes in hex/,
    },
    {
      name: 'hash kinds on a search',
      input: { op: 'search', device: '/dev/sda', pattern: '00', hashes: ['md5'] },
      wantPath: 'hashes',
      want: /search takes no hash kinds/,
    },
    {
      name: 'a pattern on a hash',
      input: { op: 'hash', device: '/dev/sda', pattern: '00' },
      wantPath: 'pattern',
      want: /hash takes no pattern/,
    },
    {
      name: 'names on a hash',
      input: { op: 'hash', device: '/dev/sda', names: ['^sd'] },
      wantPath: 'names',
      want: /give it with -device/,
    },
    { name: 'an offset on the list', input: { offset: 512 }, wantPath: 'offset', want: /list reads no bytes/ },
    { name: 'a bad name regex', input: { names: ['(sd'] }, wantPath: 'names.0', want: /not a valid RE2/ },
    {
      name: 'too many offsets',
      input: { op: 'search', device: '/dev/sda', pattern: '00', maxOffsets: 1001 },
      wantPath: 'maxOffsets',
      want: /1000/,
    },
  ])('refuses $name at "$wantPath"', ({ input, wantPath, want }) => {
    const issues = blockdevParams.safeParse(input).error?.issues ?? [];
    const issue = issues.find((i) => i.path.join('.') === wantPath);
    expect(issue?.message).toMatch(want);
  });

  it.each([
    ['55aa', [0x55, 0xaa]],
    ['55 AA', [0x55, 0xaa]],
    ['de:ad:be:ef', [0xde, 0xad, 0xbe, 0xef]],
    ['5', undefined],
    ['', undefined],
    ['zz', undefined],
  ])('pattern %j is %j', (text, want) => {
    const bytes = patternBytes(text);
    expect(bytes === undefined ? undefined : [...bytes]).toEqual(want);
  });
});

describe('PatternCounter', () => {
  /** Feeds `data` in chunks of `size` and returns what it counted. */
  function count(pattern: number[], data: number[], size: number, maxOffsets = 100) {
    const counter = new PatternCounter(Buffer.from(pattern), maxOffsets);
    for (let at = 0; at < data.length; at += size) counter.push(Uint8Array.from(data.slice(at, at + size)), 1000 + at);
    return { matches: counter.matches, firstOffsets: counter.firstOffsets };
  }

  it.each([1, 2, 3, 5, 100])('finds the same matches in chunks of %i bytes, overlapping ones included', (size) => {
    const data = [0, 1, 1, 1, 2, 1, 1, 9, 1, 1];
    expect(count([1, 1], data, size)).toEqual({ matches: 4, firstOffsets: [1001, 1002, 1005, 1008] });
  });

  it('counts past the listed offsets', () => {
    expect(count([7], new Array<number>(50).fill(7), 8, 3)).toEqual({ matches: 50, firstOffsets: [1000, 1001, 1002] });
  });

  it('a pattern longer than the data finds nothing', () => {
    expect(count([1, 2, 3], [1, 2], 1)).toEqual({ matches: 0, firstOffsets: [] });
  });
});
