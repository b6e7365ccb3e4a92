import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { splitHuntArgv } from '../../console/cli/hunt-flags.js';
import { parseFlags } from '../../console/flags/parse-flags.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { parseTimeoutSeconds, pingParams } from './params.js';
import { pingModule } from './spec.js';

const spec = pingModule as unknown as AnyModuleSpec;

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

/** argv after `mig ping` → common flags and module params, through the real CLI parsers. */
function parse(argv: readonly string[]): { common: string[]; params: unknown } {
  const { common, module } = splitHuntArgv(argv, spec);
  return { common, params: spec.cli.toParams(parseFlags(spec.cli.schema, module, spec.cli.flags).values) };
}

const tokens = (command: string): string[] => (command.match(/"[^"]*"|\S+/g) ?? []).map((t) => t.replace(/^"(.*)"$/, '$1')).slice(2);

describe('pingModule spec', () => {
  it('describes every parameter, flag and result field', () => {
    expect(undescribed(pingModule.params, 'params')).toEqual([]);
    expect(undescribed(pingModule.cli.schema, 'cli')).toEqual([]);
    expect(undescribed(pingModule.result, 'result')).toEqual([]);
  });

  it('columns and privacy name real result fields', () => {
    const keys = Object.keys(pingModule.result.shape);
    for (const column of pingModule.columns) expect(keys).toContain(column.key);
    for (const key of pingModule.privacy.leaves) expect(keys).toContain(key);
  });

  it.each(pingModule.examples.map((e) => ({ name: e.explains, command: e.command })))('example parses: $name', ({ command }) => {
    const { common, params } = parse(tokens(command));
    expect(common).toEqual([]);
    expect(pingParams.safeParse(params).error?.issues ?? []).toEqual([]);
  });

  it.each([
    { name: 'any reachable attempt', rows: [{ isReachable: false }, { isReachable: true }], want: true },
    { name: 'none reachable', rows: [{ isReachable: false }, { isReachable: false }], want: false },
    { name: 'no rows', rows: [], want: false },
  ])('isFound: $name', ({ rows, want }) => {
    expect(pingModule.isFound?.(rows)).toBe(want);
  });
});

describe('MIG flags', () => {
  it.each([
    { name: 'icmp is the default protocol', input: ['-d', '10.0.0.1'], want: { destination: '10.0.0.1', protocol: 'icmp' } },
    { name: 'tcp with port, count and timeout in seconds', input: ['-d', 'db.example', '-p', 'tcp', '-dp', '5432', '-c', '5', '-timeout', '2'], want: { destination: 'db.example', protocol: 'tcp', destinationport: 5432, count: 5, timeout: 2 } },
    { name: 'timeout in milliseconds', input: ['-d', '10.0.0.1', '-timeout', '500ms'], want: { destination: '10.0.0.1', protocol: 'icmp', timeout: 0.5 } },
  ])('$name', ({ input, want }) => {
    expect(parse(input).params).toEqual(want);
  });

  it('-t is the hunt target, not the timeout (every hunt owns -t)', () => {
    const { common, params } = parse(['-t', 'local', '-d', '10.0.0.1', '-timeout', '3s']);
    expect(common).toEqual(['-t', 'local']);
    expect(params).toMatchObject({ timeout: 3 });
  });

  it.each([
    { name: 'a timeout with a unit we do not take', input: ['-d', 'x', '-timeout', '5m'], want: /-timeout: .*expected seconds like 5, 5s or 1\.5s/ },
    { name: 'a protocol MIG did not have', input: ['-d', 'x', '-p', 'sctp'], want: /-p: expected one of icmp, tcp, udp, got "sctp"/ },
    { name: 'a port that is not a number', input: ['-d', 'x', '-dp', 'http'], want: /-dp: expected a number/ },
    { name: 'no destination', input: ['-p', 'tcp'], want: /-d/ },
  ])('refuses $name, naming the flag', ({ input, want }) => {
    expect(() => parse(input)).toThrow(want);
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
