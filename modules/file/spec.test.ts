import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fileParams } from './params.js';
import { fileModule } from './spec.js';

/** Every field of every object in a schema, with whether some wrapper layer describes it. */
function undescribed(schema: z.ZodType, path: string): string[] {
  const def = schema.def as { type: string; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; element?: z.ZodType; valueType?: z.ZodType };
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).flatMap(([key, field]) => {
      const own = hasDescription(field as z.ZodType) ? [] : [`${path}.${key}`];
      return [...own, ...undescribed(field as z.ZodType, `${path}.${key}`)];
    });
  }
  const inner = [def.innerType, def.in, def.out, def.element, def.valueType].filter((s): s is z.ZodType => s !== undefined);
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

/** `mig file -path /a -name "x y" -matchany` → flag values, typed by the CLI schema. */
function parseExample(command: string): Record<string, unknown> {
  const tokens = (command.match(/"[^"]*"|\S+/g) ?? []).map((t) => (t.startsWith('"') ? t.slice(1, -1) : t));
  expect(tokens.slice(0, 2)).toEqual(['mig', 'file']);
  const values: Record<string, unknown> = {};
  const shape = fileModule.cli.schema.shape as Record<string, z.ZodType>;
  for (let i = 2; i < tokens.length; i++) {
    const name = (tokens[i] ?? '').replace(/^-+/, '');
    const field = shape[name];
    if (field === undefined) throw new Error(`unknown flag -${name} in ${command}`);
    const base = (field.def as { innerType?: z.ZodType }).innerType ?? field;
    if (base instanceof z.ZodBoolean) values[name] = true;
    else if (base instanceof z.ZodArray) values[name] = [...((values[name] as unknown[] | undefined) ?? []), tokens[++i]];
    else values[name] = Number(tokens[++i]);
  }
  return values;
}

describe('fileModule spec', () => {
  it('describes every parameter and every flag', () => {
    expect(undescribed(fileModule.params, 'params')).toEqual([]);
    expect(undescribed(fileModule.cli.schema, 'cli')).toEqual([]);
    expect(undescribed(fileModule.result, 'result')).toEqual([]);
  });

  it('columns and privacy name real result fields', () => {
    const keys = Object.keys(fileModule.result.shape);
    for (const column of fileModule.columns) expect(keys).toContain(column.key);
    for (const key of fileModule.privacy.leaves) expect(keys).toContain(key);
  });

  it('the result schema is strict: an undeclared field is refused', () => {
    const row = { search: 's1', path: '/etc/passwd', size: 1, mode: '-rw-r--r--', mtime: '2026-01-01T00:00:00.000Z' };
    expect(fileModule.result.safeParse(row).success).toBe(true);
    expect(fileModule.result.safeParse({ ...row, content: 'root:x:0:0' }).success).toBe(false);
  });

  it.each(fileModule.examples.map((e) => ({ name: e.explains, command: e.command })))('example parses: $name', ({ command }) => {
    const values = fileModule.cli.schema.parse(parseExample(command));
    const parsed = fileParams.safeParse(fileModule.cli.toParams(values));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});

describe('cli.toParams: MIG flags become one search labelled s1', () => {
  it.each([
    {
      name: 'matchall is on by default',
      input: { path: ['/etc'], name: ['^passwd$'] },
      want: { searches: { s1: { paths: ['/etc'], names: ['^passwd$'], options: { matchall: true } } } },
    },
    {
      name: '-matchany turns matchall off',
      input: { path: ['/etc'], name: ['a'], content: ['b'], matchany: true },
      want: { searches: { s1: { paths: ['/etc'], names: ['a'], contents: ['b'], options: { matchany: true } } } },
    },
    {
      name: 'every list and option',
      input: {
        path: ['/a', '/b'],
        size: ['>1k'],
        mode: ['^u'],
        mtime: ['<2d'],
        md5: ['m'],
        sha1: ['s1'],
        sha2: ['s2'],
        sha3: ['s3'],
        mismatch: ['md5' as const],
        maxdepth: 2,
        matchlimit: 5,
        maxerrors: 7,
        macroal: true,
        decompress: true,
        returnsha256: true,
      },
      want: {
        searches: {
          s1: {
            paths: ['/a', '/b'],
            sizes: ['>1k'],
            modes: ['^u'],
            mtimes: ['<2d'],
            md5: ['m'],
            sha1: ['s1'],
            sha2: ['s2'],
            sha3: ['s3'],
            options: { maxdepth: 2, matchall: true, macroal: true, mismatch: ['md5'], matchlimit: 5, maxerrors: 7, decompress: true, returnsha256: true },
          },
        },
      },
    },
  ])('$name', ({ input, want }) => {
    expect(fileModule.cli.toParams(fileModule.cli.schema.parse(input))).toEqual(want);
  });

  it('-matchall with -matchany is refused by the params schema, naming both', () => {
    const params = fileModule.cli.toParams(fileModule.cli.schema.parse({ path: ['/'], name: ['x'], matchall: true, matchany: true }));
    expect(fileParams.safeParse(params).error?.issues.map((i) => i.message)).toEqual(['matchall and matchany are exclusive, got both true']);
  });
});
