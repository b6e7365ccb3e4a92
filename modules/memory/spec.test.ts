import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { flagsHelp } from '../../console/flags/help.js';
import { parseFlags } from '../../console/flags/parse-flags.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { memoryParams } from './params.js';
import { memoryModule, parseAddress, parseSizeBytes } from './spec.js';

/** Every field of every object in a schema that no wrapper layer describes. */
function undescribed(schema: z.ZodType, path: string): string[] {
  const def = schema.def as { innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; element?: z.ZodType };
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).flatMap(([key, field]) => {
      const own = hasDescription(field as z.ZodType) ? [] : [`${path}.${key}`];
      return [...own, ...undescribed(field as z.ZodType, `${path}.${key}`)];
    });
  }
  const inner = [def.innerType, def.in, def.out, def.element].filter((s): s is z.ZodType => s !== undefined);
  return inner.flatMap((s) => undescribed(s, path));
}

function hasDescription(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  while (current !== undefined) {
    if (current.description !== undefined) return true;
    const def = current.def as { innerType?: z.ZodType; in?: z.ZodType };
    current = def.innerType ?? def.in;
  }
  return false;
}

/** `mig memory -name "^sshd$" -matchany` → argv as a shell would split it (double quotes only). */
function argvOf(command: string): string[] {
  const tokens = (command.match(/"[^"]*"|\S+/g) ?? []).map((t) => (t.startsWith('"') ? t.slice(1, -1) : t));
  expect(tokens.slice(0, 2)).toEqual(['mig', 'memory']);
  return tokens.slice(2);
}

/** Through the console's real flag parser, derived from the CLI schema. */
function flagsToParams(argv: readonly string[]): unknown {
  const { values } = parseFlags(memoryModule.cli.schema, argv, memoryModule.cli.flags);
  return memoryModule.cli.toParams(values);
}

describe('memoryModule spec', () => {
  it('describes every parameter and every flag', () => {
    expect(undescribed(memoryModule.params, 'params')).toEqual([]);
    expect(undescribed(memoryModule.cli.schema, 'cli')).toEqual([]);
    expect(undescribed(memoryModule.result, 'result')).toEqual([]);
  });

  it('columns and privacy name real result fields', () => {
    const keys = Object.keys(memoryModule.result.shape);
    for (const column of memoryModule.columns) expect(keys).toContain(column.key);
    expect([...memoryModule.privacy.leaves].sort()).toEqual([...keys].sort());
  });

  it('the result schema is strict: memory contents cannot ride along', () => {
    const row = { pid: 42, name: 'nginx', matched: ['name:^nginx$'], bytesScanned: 0 };
    expect(memoryModule.result.safeParse(row).success).toBe(true);
    expect(memoryModule.result.safeParse({ ...row, excerpt: 'GET /secret' }).success).toBe(false);
  });

  it.each(memoryModule.examples.map((e) => ({ name: e.explains, command: e.command })))('example parses: $name', ({ command }) => {
    const parsed = memoryParams.safeParse(flagsToParams(argvOf(command)));
    expect(parsed.error?.issues ?? []).toEqual([]);
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
      input: { lib: ['libssl'], bytes: ['dead'], offset: '0x7f0000000000', maxlength: '64m', logfailures: true, pid: [42, 43] },
      want: { libraries: ['libssl'], bytes: ['dead'], pids: [42, 43], options: { matchall: true, offset: 0x7f0000000000, maxlength: 64 * 1024 * 1024, logfailures: true } },
    },
  ])('$name', ({ input, want }) => {
    expect(memoryModule.cli.toParams(memoryModule.cli.schema.parse(input))).toEqual(want);
  });

  it('the command line, hidden -pid included, reaches the same params', () => {
    const argv = ['-content', 'x', '-offset', '0x1000', '-maxlength', '2k', '-pid', '7', '-pid', '9', '-logfailures'];
    expect(flagsToParams(argv)).toEqual({ contents: ['x'], pids: [7, 9], options: { matchall: true, offset: 4096, maxlength: 2048, logfailures: true } });
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
    { name: 'an offset that is not a number', input: { name: ['x'], offset: 'top' }, want: 'offset: expected an address like 0x7f0000000000 or a decimal number' },
    { name: 'a maxlength with a unit we lack', input: { name: ['x'], maxlength: '5mb' }, want: 'maxlength: expected a byte count like 1048576 or 64m (k, m, g, t)' },
  ])('the flag schema refuses $name', ({ input, want }) => {
    const parsed = memoryModule.cli.schema.safeParse(input);
    expect(parsed.success ? '' : describeIssues(parsed.error)).toBe(want);
  });

  it('an address past 2^53 is refused by the params schema, naming the option', () => {
    const params = memoryModule.cli.toParams(memoryModule.cli.schema.parse({ name: ['x'], offset: '0xffffffffffffffff' }));
    const parsed = memoryParams.safeParse(params);
    expect(parsed.success ? '' : describeIssues(parsed.error, 'parameters')).toContain('parameters.options.offset: Too big');
  });
});
