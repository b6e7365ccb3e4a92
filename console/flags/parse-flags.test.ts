import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BugError, UserError } from '../../protocol/errors.js';
import { fileModule } from '../../modules/file/spec.js';
import { moduleSpecs } from '../../modules/registry.js';
import { deriveFlags } from './fields.js';
import { isHelpRequested, parseFlags } from './parse-flags.js';
import { thrownBy } from '../../test/helpers/error-code.js';

const schema = z.object({
  paths: z.array(z.string().min(1)).min(1).max(3).describe('where to look'),
  names: z.array(z.string()).default([]).describe('file name regexes'),
  sizes: z.array(z.number()).optional().describe('sizes'),
  maxdepth: z.number().int().min(0).default(1000).describe('how deep to walk'),
  ratio: z.number().optional().describe('a float'),
  matchall: z.boolean().default(false).describe('all checks must match'),
  strict: z.boolean().describe('required boolean'),
  mode: z.enum(['fast', 'slow']).default('fast').describe('speed'),
  label: z
    .string()
    .regex(/^[a-z]+$/, 'expected lowercase letters')
    .optional()
    .describe('a label'),
});
const hints = { paths: { alias: 'path' }, names: { alias: 'name' }, label: { isHidden: true } };
const opts = { subject: 'module file' };

const base = { names: [], maxdepth: 1000, matchall: false, strict: false, mode: 'fast' };

describe('parseFlags', () => {
  it.each([
    { name: 'single dash with value', input: ['-path', '/etc'], want: { ...base, paths: ['/etc'] } },
    { name: 'double dash and field name', input: ['--paths', '/etc'], want: { ...base, paths: ['/etc'] } },
    {
      name: 'inline value',
      input: ['-path=/etc', '--name=^a=b$'],
      want: { ...base, paths: ['/etc'], names: ['^a=b$'] },
    },
    {
      name: 'empty inline value is a value',
      input: ['-path=/x', '-name='],
      want: { ...base, paths: ['/x'], names: [''] },
    },
    {
      name: 'repeatable in order, alias and field name mixed',
      input: ['-path', '/a', '-paths', '/b', '-path=/c'],
      want: { ...base, paths: ['/a', '/b', '/c'] },
    },
    { name: 'int parsed', input: ['-path', '/', '-maxdepth', '3'], want: { ...base, paths: ['/'], maxdepth: 3 } },
    {
      name: 'negative number as a value',
      input: ['-path', '/', '-ratio', '-1.5'],
      want: { ...base, paths: ['/'], ratio: -1.5 },
    },
    {
      name: 'repeatable numbers',
      input: ['-path', '/', '-sizes', '1', '-sizes=2e3'],
      want: { ...base, paths: ['/'], sizes: [1, 2000] },
    },
    {
      name: 'boolean presence',
      input: ['-path', '/', '-matchall', '-strict'],
      want: { ...base, paths: ['/'], matchall: true, strict: true },
    },
    {
      name: 'boolean =false',
      input: ['-path', '/', '-matchall=false', '-strict=true'],
      want: { ...base, paths: ['/'], strict: true },
    },
    { name: 'enum value', input: ['-path', '/', '-mode', 'slow'], want: { ...base, paths: ['/'], mode: 'slow' } },
    {
      name: 'hidden flag still accepted',
      input: ['-path', '/', '-label', 'abc'],
      want: { ...base, paths: ['/'], label: 'abc' },
    },
    {
      name: 'value that looks like an unknown flag',
      input: ['-path', '/', '-name', '-foo'],
      want: { ...base, paths: ['/'], names: ['-foo'] },
    },
  ])('$name', ({ input, want }) => {
    expect(parseFlags(schema, input, hints, opts).values).toEqual(want);
  });

  it.each([
    { name: 'plain positionals', input: ['x', '-path', '/', 'y'], want: ['x', 'y'] },
    { name: 'a lone dash', input: ['-', '-path', '/'], want: ['-'] },
    { name: 'everything after --', input: ['-path', '/', '--', '-matchall', 'z'], want: ['-matchall', 'z'] },
    { name: 'boolean presence does not swallow the next word', input: ['-path', '/', '-matchall', 'w'], want: ['w'] },
  ])('positionals: $name', ({ input, want }) => {
    expect(parseFlags(schema, input, hints, opts).positionals).toEqual(want);
  });

  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the table's.
  it.each([
    {
      name: 'unknown flag with suggestion',
      input: ['-path', '/', '-nmae', 'x'],
      want: '-nmae: expected a flag of module file, got unknown flag -nmae; did you mean -name?',
    },
    {
      name: 'unknown flag prefix suggestion',
      input: ['-path', '/', '--max', '2'],
      want: '--max: expected a flag of module file, got unknown flag --max; did you mean -maxdepth?',
    },
    {
      name: 'unknown flag far from everything',
      input: ['-path', '/', '-xyzzyqqq'],
      want: '-xyzzyqqq: expected a flag of module file, got unknown flag -xyzzyqqq',
    },
    {
      name: 'hidden flags are never suggested',
      input: ['-path', '/', '-labe', 'x'],
      want: '-labe: expected a flag of module file, got unknown flag -labe; did you mean -name?',
    },
    { name: 'missing value at the end', input: ['-path'], want: '-path: expected a value, got nothing' },
    // Alike on purpose (duplicates): one row per bad command line with the exact message the user reads; the rows
    // differ only in flags and words, which is what each tests.
    {
      name: 'missing value before a flag',
      input: ['-path', '-matchall'],
      want: '-path: expected a value, got nothing',
    },
    {
      name: 'not a number',
      input: ['-path', '/', '-maxdepth', 'deep'],
      want: '-maxdepth: expected a number, got "deep"',
    },
    {
      name: 'hex is not a number',
      input: ['-path', '/', '-maxdepth', '0x10'],
      want: '-maxdepth: expected a number, got "0x10"',
    },
    { name: 'not an integer', input: ['-path', '/', '-maxdepth=2.5'], want: '-maxdepth: expected an integer, got 2.5' },
    {
      name: 'bad boolean',
      input: ['-path', '/', '-matchall=yes'],
      want: '-matchall: expected true or false, got "yes"',
    },
    { name: 'bad enum', input: ['-path', '/', '-mode', 'warp'], want: '-mode: expected one of fast, slow, got "warp"' },
    {
      name: 'scalar given twice',
      input: ['-path', '/', '-maxdepth', '1', '-maxdepth', '2'],
      want: '-maxdepth: expected it once, got it more than once; the last one would silently win',
    },
    { name: 'required repeatable missing', input: [], want: '-path: expected one or more values, got nothing' },
    {
      name: 'below the minimum',
      input: ['-path', '/', '-maxdepth', '-1'],
      want: '-maxdepth: expected a number >= 0, got -1',
    },
    {
      name: 'too many values',
      input: ['-path', '/a', '-path', '/b', '-path', '/c', '-path', '/d'],
      want: '-path: expected at most 3 values, got 4 values',
    },
    {
      name: 'element too short, named as typed',
      input: ['--paths', ''],
      want: '--paths: expected at least 1 character, got ""',
    },
    {
      name: 'custom schema message kept',
      input: ['-path', '/', '-label', 'ABC'],
      want: '-label: expected lowercase letters, got "ABC"',
    },
    {
      name: 'every problem at once',
      input: ['-nmae', 'x', '-maxdepth', 'deep', '-path'],
      want: '-nmae: expected a flag of module file, got unknown flag -nmae; did you mean -name?; -maxdepth: expected a number, got "deep"; -path: expected a value, got nothing',
    },
  ])('refuses: $name', ({ input, want }) => {
    const err = thrownBy(UserError, () => parseFlags(schema, input, hints, opts));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe(want);
    expect(err.hint).toBe('run with --help to see the flags of module file');
  });

  it('a message without subject leaves it out', () => {
    expect(() => parseFlags(schema, ['-qqqqqq'])).toThrow(
      /^-qqqqqq: expected a flag of this command, got unknown flag -qqqqqq$/,
    );
  });

  it.each([
    { name: 'help flag reaching the parser', input: ['-h'] },
    { name: 'long help', input: ['--help'] },
  ])('caller bug: $name', ({ input }) => {
    expect(() => parseFlags(schema, input, hints)).toThrow(BugError);
  });

  it.each([
    { name: 'object field', schema: z.object({ o: z.object({}) }), want: /field o is a object/ },
    { name: 'field named help', schema: z.object({ help: z.string() }), want: /reserved for help/ },
    {
      name: 'alias collides',
      schema: z.object({ a: z.string(), b: z.string() }),
      hints: { b: { alias: 'a' } },
      want: /claimed by both a and b/,
    },
  ])('schema bug: $name', ({ schema: s, hints: h, want }) => {
    expect(() => parseFlags(s, [], h)).toThrow(want);
  });
});

describe('isHelpRequested', () => {
  it.each([
    { name: '-h', input: ['-path', '/', '-h'], want: true },
    { name: '-help', input: ['-help'], want: true },
    { name: '--help', input: ['x', '--help'], want: true },
    { name: 'after --', input: ['--', '-h'], want: false },
    { name: 'none', input: ['-path', '/'], want: false },
    { name: 'not a prefix match', input: ['-helper'], want: false },
  ])('$name', ({ input, want }) => {
    expect(isHelpRequested(input)).toBe(want);
  });
});

describe('parseFlags over every registered module', () => {
  it.each([...moduleSpecs.values()].map((spec) => ({ name: spec.name, spec })))(
    '$name: every cli field is a flag',
    ({ spec }) => {
      const fields = deriveFlags(spec.cli.schema, spec.cli.flags);
      expect(fields.map((f) => f.key)).toEqual(Object.keys(spec.cli.schema.shape));
      for (const field of fields) expect(field.description, field.key).toBeTruthy();
    },
  );

  it.each([
    {
      name: 'MIG-style command line',
      input: [
        '-path',
        '/etc',
        '-path=/usr/local/etc',
        '-name',
        '^passwd$',
        '-maxdepth',
        '2',
        '-matchany',
        '-mismatch',
        'name',
      ],
      want: {
        paths: ['/etc', '/usr/local/etc'],
        names: ['^passwd$'],
        options: { maxdepth: 2, matchany: true, mismatch: ['name'] },
      },
    },
    {
      name: 'defaults to matchall like MIG',
      input: ['-path', '/tmp', '-sha1', 'a'.repeat(40)],
      want: { paths: ['/tmp'], sha1: ['a'.repeat(40)], options: { matchall: true } },
    },
  ])('file: $name', ({ input, want }) => {
    const { values } = parseFlags(fileModule.cli.schema, input, fileModule.cli.flags, opts);
    const parsed = fileModule.params.parse(fileModule.cli.toParams(values));
    expect(parsed.searches.s1).toMatchObject(want);
  });

  it('file: a bad enum value names the flag', () => {
    expect(() =>
      parseFlags(fileModule.cli.schema, ['-path', '/', '-mismatch', 'colour'], fileModule.cli.flags, opts),
    ).toThrow('-mismatch: expected one of name, content, size, mode, mtime, md5, sha1, sha2, sha3, got "colour"');
  });
});
