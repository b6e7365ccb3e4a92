import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { splitHuntArgv } from '../../console/cli/hunt-flags.js';
import { parseFlags } from '../../console/flags/parse-flags.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { netstatParams } from './params.js';
import { netstatModule } from './spec.js';

const spec = netstatModule as unknown as AnyModuleSpec;

/** Object fields no wrapper layer describes, recursively. */
function undescribed(schema: z.ZodType, path: string): string[] {
  const def = schema.def as { innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; element?: z.ZodType; options?: z.ZodType[] };
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).flatMap(([key, field]) => [...(isDescribed(field as z.ZodType) ? [] : [`${path}.${key}`]), ...undescribed(field as z.ZodType, `${path}.${key}`)]);
  }
  return [def.innerType, def.in, def.element].filter((s): s is z.ZodType => s !== undefined).flatMap((s) => undescribed(s, path));
}

function isDescribed(schema: z.ZodType | undefined): boolean {
  for (let s = schema; s !== undefined; s = (s.def as { innerType?: z.ZodType; in?: z.ZodType }).innerType ?? (s.def as { in?: z.ZodType }).in) {
    if (s.description !== undefined) return true;
  }
  return false;
}

/** A command line from the docs → the module's params, through the real CLI parsers. */
function paramsOf(command: string): unknown {
  const tokens = (command.match(/"[^"]*"|\S+/g) ?? []).map((t) => t.replace(/^"(.*)"$/, '$1'));
  expect(tokens.slice(0, 2)).toEqual(['mig', spec.name]);
  const { common, module } = splitHuntArgv(tokens.slice(2), spec);
  expect(common).toEqual([]);
  return spec.cli.toParams(parseFlags(spec.cli.schema, module, spec.cli.flags).values);
}

describe('netstatModule spec', () => {
  it('describes every parameter, flag and result field', () => {
    expect(undescribed(netstatModule.params, 'params')).toEqual([]);
    expect(undescribed(netstatModule.cli.schema, 'cli')).toEqual([]);
    expect(undescribed(netstatModule.result, 'result')).toEqual([]);
  });

  it('columns and privacy name real result fields', () => {
    const keys = Object.keys(netstatModule.result.shape);
    for (const column of netstatModule.columns) expect(keys).toContain(column.key);
    for (const key of netstatModule.privacy.leaves) expect(keys).toContain(key);
  });

  it('the result schema is strict: an undeclared field is refused', () => {
    expect(netstatModule.result.safeParse({ check: 'listeningport:22' }).success).toBe(true);
    expect(netstatModule.result.safeParse({ check: 'listeningport:22', cmdline: '/usr/sbin/sshd -D' }).success).toBe(false);
  });

  it.each(netstatModule.examples.map((e) => ({ name: e.explains, command: e.command })))('example parses: $name', ({ command }) => {
    expect(netstatParams.safeParse(paramsOf(command)).error?.issues ?? []).toEqual([]);
  });
});

describe('flags become MIG parameters', () => {
  it.each([
    { name: 'one of each', input: 'mig netstat -lm ^8c -nm ^00 -li 10.0.0.1 -ni 10.0.0.0/8 -ci 2001:db8::/32 -lp 443', want: { localmac: ['^8c'], neighbormac: ['^00'], localip: ['10.0.0.1'], neighborip: ['10.0.0.0/8'], connectedip: ['2001:db8::/32'], listeningport: [443] } },
    { name: 'repeated flags', input: 'mig netstat -ci 10.0.0.1 -ci 10.0.0.2 -lp 22 -lp 80', want: { connectedip: ['10.0.0.1', '10.0.0.2'], listeningport: [22, 80] } },
    { name: 'a single flag', input: 'mig netstat -lp 22', want: { listeningport: [22] } },
  ])('$name', ({ input, want }) => {
    expect(paramsOf(input)).toEqual(want);
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
    { name: 'too many values', input: { connectedip: new Array<string>(257).fill('10.0.0.1') }, wantPath: 'connectedip' },
  ])('refuses $name at $wantPath', ({ input, wantPath }) => {
    const issues = netstatParams.safeParse(input).error?.issues ?? [];
    expect(issues.map((i) => i.path.join('.'))).toContain(wantPath);
  });
});
