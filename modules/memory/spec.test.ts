import { describe, expect, it } from 'vitest';
import { flagsHelp } from '../../test/helpers/modules/console-side.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { cliParams } from '../../test/helpers/modules/recording.js';
import { memoryParams } from './params.js';
import { memoryModule, parseAddress, parseSizeBytes } from './spec.js';

// The contract every module owes (described fields, strict result, columns, examples) is checked
// for all of them in modules/registry.test.ts; here only what is memory's own.

const spec = memoryModule;

describe('memoryModule result', () => {
  it('every result field may leave the host', () => {
    expect([...memoryModule.privacy.leaves].sort()).toEqual(Object.keys(memoryModule.result.shape).sort());
  });

  it('memory contents cannot ride along in a row', () => {
    const row = { pid: 42, name: 'nginx', matched: ['name:^nginx$'], bytesScanned: 0 };
    expect(memoryModule.result.safeParse(row).success).toBe(true);
    expect(memoryModule.result.safeParse({ ...row, excerpt: 'GET /secret' }).success).toBe(false);
  });
});

describe('cli.toParams: MIG flags become the search', () => {
  it.each([
    {
      name: 'matchall is on by default',
      input: { name: ['^nginx$'] },
      want: { names: ['^nginx$'], options: { matchall: true } },
    },
    {
      name: '-matchany turns matchall off',
      input: { name: ['a'], content: ['b'], matchany: true },
      want: { names: ['a'], contents: ['b'], options: { matchany: true } },
    },
    {
      name: 'every flag',
      input: {
        lib: ['libssl'],
        bytes: ['dead'],
        offset: '0x7f0000000000',
        maxlength: '64m',
        logfailures: true,
        pid: [42, 43],
      },
      want: {
        libraries: ['libssl'],
        bytes: ['dead'],
        pids: [42, 43],
        options: { matchall: true, offset: 0x7f0000000000, maxlength: 64 * 1024 * 1024, logfailures: true },
      },
    },
  ])('$name', ({ input, want }) => {
    expect(memoryModule.cli.toParams(memoryModule.cli.schema.parse(input))).toEqual(want);
  });

  it('the command line, hidden -pid included, reaches the same params', () => {
    const argv = ['-content', 'x', '-offset', '0x1000', '-maxlength', '2k', '-pid', '7', '-pid', '9', '-logfailures'];
    expect(cliParams(spec, argv)).toEqual({
      common: [],
      params: {
        contents: ['x'],
        pids: [7, 9],
        options: { matchall: true, offset: 4096, maxlength: 2048, logfailures: true },
      },
    });
  });

  it('-pid is hidden from help', () => {
    expect(flagsHelp(memoryModule.cli.schema, memoryModule.cli.flags)).not.toContain('-pid');
    expect(flagsHelp(memoryModule.cli.schema, memoryModule.cli.flags)).toContain('-maxlength');
  });

  it.each([
    { name: 'hex address', input: '0x10', want: 16 },
    { name: 'upper-case hex prefix', input: '0X1F', want: 31 },
    { name: 'decimal', input: '4096', want: 4096 },
  ])('parseAddress $name', ({ input, want }) => {
    expect(parseAddress(input)).toBe(want);
  });

  it.each([
    { name: 'bytes', input: '100', want: 100 },
    { name: 'k', input: '2k', want: 2048 },
    { name: 'M', input: '1M', want: 1024 ** 2 },
    { name: 'g', input: '3g', want: 3 * 1024 ** 3 },
  ])('parseSizeBytes $name', ({ input, want }) => {
    expect(parseSizeBytes(input)).toBe(want);
  });

  it.each([
    {
      name: 'an offset that is not a number',
      input: { name: ['x'], offset: 'top' },
      want: 'offset: expected an address like 0x7f0000000000 or a decimal number',
    },
    {
      name: 'a maxlength with a unit we lack',
      input: { name: ['x'], maxlength: '5mb' },
      want: 'maxlength: expected a byte count like 1048576 or 64m (k, m, g, t)',
    },
  ])('the flag schema refuses $name', ({ input, want }) => {
    const parsed = memoryModule.cli.schema.safeParse(input);
    expect(parsed.success ? '' : describeIssues(parsed.error)).toBe(want);
  });

  it('an address past 2^53 is refused by the params schema, naming the option', () => {
    const params = memoryModule.cli.toParams(
      memoryModule.cli.schema.parse({ name: ['x'], offset: '0xffffffffffffffff' }),
    );
    const parsed = memoryParams.safeParse(params);
    expect(parsed.success ? '' : describeIssues(parsed.error, 'parameters')).toContain(
      'parameters.options.offset: Too big',
    );
  });
});
