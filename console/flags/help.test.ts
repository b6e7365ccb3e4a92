import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FlagHint } from '../../protocol/module-spec.js';
import { flagRows, flagsHelp, type FlagRow } from './help.js';

interface RowCase {
  name: string;
  schema: z.ZodObject;
  hints?: Record<string, FlagHint>;
  want: FlagRow[];
}

describe('flagRows', () => {
  it.each<RowCase>([
    {
      name: 'repeatable required string with alias',
      schema: z.object({ paths: z.array(z.string()).min(1).describe('where to look') }),
      hints: { paths: { alias: 'path' } },
      want: [{ flag: '-path, -paths', type: '<string>...', description: 'where to look', default: 'required' }],
    },
    {
      name: 'int with default',
      schema: z.object({ maxdepth: z.number().int().default(1000).describe('depth') }),
      want: [{ flag: '-maxdepth', type: '<int>', description: 'depth', default: '1000' }],
    },
    {
      name: 'float, optional, description set before optional()',
      schema: z.object({ ratio: z.number().describe('ratio').optional() }),
      want: [{ flag: '-ratio', type: '<number>', description: 'ratio', default: '' }],
    },
    {
      name: 'boolean presence flag, described with meta',
      schema: z.object({ matchall: z.boolean().default(false).meta({ description: 'all must match' }) }),
      want: [{ flag: '-matchall', type: '', description: 'all must match', default: 'false' }],
    },
    {
      name: 'enum and repeatable enum, description on the element',
      schema: z.object({
        mode: z.enum(['a', 'b']).default('a').describe('mode'),
        hashes: z.array(z.enum(['md5', 'sha1']).describe('hash kinds')).default(['md5']),
      }),
      want: [
        { flag: '-mode', type: '<a|b>', description: 'mode', default: 'a' },
        { flag: '-hashes', type: '<md5|sha1>...', description: 'hash kinds', default: 'md5' },
      ],
    },
    {
      name: 'hidden flag left out, empty default array shown as nothing',
      schema: z.object({ secret: z.string().optional(), names: z.array(z.string()).default([]).describe('n') }),
      hints: { secret: { isHidden: true } },
      want: [{ flag: '-names', type: '<string>...', description: 'n', default: '' }],
    },
  ])('$name', ({ schema, hints, want }) => {
    expect(flagRows(schema, hints)).toEqual(want);
  });
});

describe('flagsHelp', () => {
  it('aligns the table', () => {
    const schema = z.object({
      paths: z.array(z.string()).min(1).describe('directories to walk'),
      maxdepth: z.number().int().default(1000).describe('how deep to walk'),
      matchall: z.boolean().default(false).describe('every check must match'),
    });
    expect(flagsHelp(schema, { paths: { alias: 'path' } })).toBe(
      [
        'FLAG           TYPE         DESCRIPTION             DEFAULT',
        '-path, -paths  <string>...  directories to walk     required',
        '-maxdepth      <int>        how deep to walk        1000',
        '-matchall                   every check must match  false',
        '',
      ].join('\n'),
    );
  });
});
