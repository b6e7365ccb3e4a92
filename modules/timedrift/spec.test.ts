import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { splitHuntArgv } from '../../console/cli/hunt-flags.js';
import { parseFlags } from '../../console/flags/parse-flags.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { timedriftParams } from './params.js';
import { timedriftModule } from './spec.js';

const spec = timedriftModule as unknown as AnyModuleSpec;

function undescribed(schema: z.ZodType, path: string): string[] {
  const def = schema.def as { innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType };
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).flatMap(([key, field]) => [...(isDescribed(field as z.ZodType) ? [] : [`${path}.${key}`]), ...undescribed(field as z.ZodType, `${path}.${key}`)]);
  }
  return [def.innerType, def.in, def.element].filter((s): s is z.ZodType => s !== undefined).flatMap((s) => undescribed(s, path));
}

function isDescribed(schema: z.ZodType | undefined): boolean {
  for (let s = schema; s !== undefined; s = (s.def as { innerType?: z.ZodType }).innerType) if (s.description !== undefined) return true;
  return false;
}

function parse(argv: readonly string[]): { common: string[]; params: unknown } {
  const { common, module } = splitHuntArgv(argv, spec);
  return { common, params: spec.cli.toParams(parseFlags(spec.cli.schema, module, spec.cli.flags).values) };
}

describe('timedriftModule spec', () => {
  it('describes every parameter, flag and result field', () => {
    expect(undescribed(timedriftModule.params, 'params')).toEqual([]);
    expect(undescribed(timedriftModule.cli.schema, 'cli')).toEqual([]);
    expect(undescribed(timedriftModule.result, 'result')).toEqual([]);
  });

  it('columns and privacy name real result fields', () => {
    const keys = Object.keys(timedriftModule.result.shape);
    for (const column of timedriftModule.columns) expect(keys).toContain(column.key);
    for (const key of timedriftModule.privacy.leaves) expect(keys).toContain(key);
  });

  it.each(timedriftModule.examples.map((e) => ({ name: e.explains, command: e.command })))('example parses: $name', ({ command }) => {
    const { common, params } = parse(command.split(' ').slice(2));
    expect(common).toEqual([]);
    expect(timedriftParams.safeParse(params).error?.issues ?? []).toEqual([]);
  });

  it.each([
    { name: 'a drifted server', rows: [{ hasDrifted: false }, { hasDrifted: true }], want: true },
    { name: 'all within', rows: [{ hasDrifted: false }], want: false },
    { name: 'only unreachable servers', rows: [{ isReachable: false }], want: false },
  ])('isFound: $name', ({ rows, want }) => {
    expect(timedriftModule.isFound?.(rows)).toBe(want);
  });
});

describe('flags', () => {
  it.each([
    { name: 'nothing: every default', input: [], want: {} },
    { name: "MIG's -drift", input: ['-drift', '500ms'], want: { drift: '500ms' } },
    { name: 'repeated -ntp, -all and -timeout', input: ['-ntp', 'a.example', '-ntp', 'b.example:1123', '-all', '-timeout', '2'], want: { servers: ['a.example', 'b.example:1123'], all: true, timeout: 2 } },
    { name: '-timeout as a duration', input: ['-timeout', '500ms'], want: { timeout: 0.5 } },
  ])('$name', ({ input, want }) => {
    expect(parse(input).params).toEqual(want);
    expect(timedriftParams.safeParse(parse(input).params).success).toBe(true);
  });

  it.each([
    { name: 'a timeout that is neither', input: ['-timeout', 'soon'], want: /-timeout: expected seconds like 2 or a duration/ },
    { name: 'an unknown flag', input: ['-t2'], want: /unknown flag -t2/ },
  ])('refuses $name, naming the flag', ({ input, want }) => {
    expect(() => parse(input)).toThrow(want);
  });

  it('-t stays the hunt target', () => {
    expect(parse(['-t', 'local', '-drift', '1s']).common).toEqual(['-t', 'local']);
  });

  it('defaults: 5 s drift, 5 s per server, stop at the first answer', () => {
    expect(timedriftParams.parse({})).toEqual({ drift: '5s', all: false, timeout: 5 });
  });
});
