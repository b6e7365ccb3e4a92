import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deriveFlags, flagsHelp } from '../../test/helpers/modules/console-side.js';
import { flagAs, flagFor, paramFields, paramHelp } from './param-help.js';
import { checked } from './param-checks.js';

const params = z.strictObject({
  paths: z
    .array(checked((v) => (v.startsWith('/') ? undefined : 'expected an absolute path')))
    .min(1)
    .max(4)
    .describe('Where to look'),
  depth: z.number().int().min(0).max(9).default(3).describe('How deep'),
  kinds: z
    .array(z.enum(['a', 'b']))
    .max(2)
    .optional()
    .describe('Kinds'),
  quick: z.boolean().default(false).describe('Be quick'),
  ratio: z.number().optional().describe('A ratio'),
  options: z.strictObject({ nested: z.string().optional().describe('Deep inside') }).prefault({}),
});

const cli = z.strictObject({
  path: flagFor(params, 'paths', 'repeat for several'),
  depth: flagFor(params, 'depth'),
  kind: flagFor(params, 'kinds'),
  quick: flagFor(params, 'quick'),
  ratio: flagFor(params, 'ratio'),
  span: flagAs(z.string().optional(), params, 'depth', 'as text'),
});

describe('flagFor: a flag reads its parameter’s type, help and default', () => {
  it('help and docs show the parameter’s description, the note and its default', () => {
    expect(flagsHelp(cli)).toBe(
      [
        'FLAG    TYPE         DESCRIPTION                        DEFAULT',
        '-path   <string>...  Where to look; repeat for several  required',
        '-depth  <int>        How deep                           3',
        '-kind   <a|b>...     Kinds',
        '-quick               Be quick                           false',
        '-ratio  <number>     A ratio',
        '-span   <string>     How deep; as text                  3',
        '',
      ].join('\n'),
    );
  });

  it('the flag does not send the default: the agent applies it', () => {
    expect(cli.parse({ path: ['/'] })).toEqual({ path: ['/'] });
    expect(deriveFlags(cli).map((f) => f.hasDefault)).toEqual([false, false, false, false, false, false]);
  });

  it('limits and checks stay with the parameter, judged once after toParams', () => {
    expect(cli.safeParse({ path: ['relative', '/a', '/b', '/c', '/d'], depth: 99 }).success).toBe(true);
    expect(cli.safeParse({ path: ['/'], depth: 1.5 }).success).toBe(false);
    expect(cli.safeParse({ path: ['/'], kind: ['c'] }).success).toBe(false);
  });

  it('a required parameter makes a required flag', () => {
    expect(cli.safeParse({}).success).toBe(false);
  });

  it('the static type follows the runtime one', () => {
    const values: z.output<typeof cli> = cli.parse({ path: ['/'], depth: 2, kind: ['a'], quick: true });
    const depth: number | undefined = values.depth;
    const kinds: ('a' | 'b')[] | undefined = values.kind;
    expect({ depth, kinds }).toEqual({ depth: 2, kinds: ['a'] });
  });

  it('a field no flag can read as it is, or one that is missing, is a spec bug', () => {
    expect(() => flagFor(params, 'options')).toThrow('parameter options is a object, which no flag reads as it is');
    expect(() => paramHelp(params, 'nope')).toThrow('parameter nope has no description');
  });
});

describe('paramFields', () => {
  it('finds nested option fields through wrappers, outer names first', () => {
    expect([...paramFields(params).keys()]).toEqual(['paths', 'depth', 'kinds', 'quick', 'ratio', 'options', 'nested']);
  });
});
