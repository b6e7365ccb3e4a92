import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../protocol/zod-issues.js';
import { DEFAULT_FILE_BYTES, MAX_FILE_BYTES, MAX_RULES_CHARS, yaraParams } from './params.js';
import { yaraModule } from './spec.js';

// The contract every module owes (described fields, strict result, columns, examples) is checked
// for all of them in modules/registry.test.ts; here only what is yara's own.

describe('yaraModule result', () => {
  it.each([
    { name: 'a full row', input: {}, want: true },
    { name: 'matched bytes are refused', input: { data: 'stratum+tcp://' }, want: false },
    { name: 'match offsets are refused', input: { offsets: [12] }, want: false },
    { name: 'file content is refused', input: { content: 'MZ' }, want: false },
  ])('what a match found stays on the host: $name', ({ input, want }) => {
    const row = {
      path: '/tmp/x',
      rule: 'r',
      namespace: 'ns1',
      tags: ['t'],
      size: 1,
      mtime: '2026-01-01T00:00:00.000Z',
      ...input,
    };
    expect(yaraModule.result.safeParse(row).success).toBe(want);
  });
});

describe('cli.toParams', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    {
      name: 'rules and paths only: defaults come from the params schema',
      input: { rules: ['rule a { condition: true }'], path: ['/tmp'] },
      want: {
        rules: ['rule a { condition: true }'],
        paths: ['/tmp'],
        maxdepth: 1000,
        maxfilesize: DEFAULT_FILE_BYTES,
        matchlimit: 1000,
      },
    },
    // Alike on purpose (duplicates): input is the CLI's values (flag `path`) and want the parameters (`paths`): both
    // written in full so that the one renamed field shows.
    {
      name: 'every flag',
      input: {
        rules: ['rule a { condition: true }', 'rule b { condition: true }'],
        path: ['/a', '/b'],
        maxdepth: 2,
        maxfilesize: 1024,
        name: '!\\.log$',
        matchlimit: 5,
      },
      want: {
        rules: ['rule a { condition: true }', 'rule b { condition: true }'],
        paths: ['/a', '/b'],
        maxdepth: 2,
        maxfilesize: 1024,
        name: '!\\.log$',
        matchlimit: 5,
      },
    },
  ])('$name', ({ input, want }) => {
    expect(yaraParams.parse(yaraModule.cli.toParams(yaraModule.cli.schema.parse(input)))).toEqual(want);
  });
});

describe('parameter validation names the field', () => {
  const ok = { rules: ['rule a { condition: true }'], paths: ['/tmp'] };
  it.each([
    {
      name: 'rules missing',
      input: { paths: ['/tmp'] },
      want: 'rules: Invalid input: expected array, received undefined',
    },
    { name: 'no rules', input: { ...ok, rules: [] }, want: 'rules: Too small: expected array to have >=1 items' },
    {
      name: 'empty rule text',
      input: { ...ok, rules: ['  \n'] },
      want: 'rules.0: expected YARA rule text, got an empty string',
    },
    {
      name: 'rule text too long',
      input: { ...ok, rules: ['x'.repeat(MAX_RULES_CHARS + 1)] },
      want: `rules.0: expected at most ${MAX_RULES_CHARS} characters of rules, got ${MAX_RULES_CHARS + 1}`,
    },
    { name: 'no paths', input: { ...ok, paths: [] }, want: 'paths: Too small: expected array to have >=1 items' },
    {
      name: 'relative path',
      input: { ...ok, paths: ['/ok', 'tmp'] },
      want: 'paths.1: expected an absolute path (starting with /), got "tmp"',
    },
    {
      name: 'NUL in a path',
      input: { ...ok, paths: ['/a\0b'] },
      want: 'paths.0: expected a path without NUL characters',
    },
    {
      name: 'negative maxdepth',
      input: { ...ok, maxdepth: -1 },
      want: 'maxdepth: Too small: expected number to be >=0',
    },
    {
      name: 'maxfilesize 0',
      input: { ...ok, maxfilesize: 0 },
      want: 'maxfilesize: Too small: expected number to be >=1',
    },
    {
      name: 'maxfilesize above the cap',
      input: { ...ok, maxfilesize: MAX_FILE_BYTES + 1 },
      want: `maxfilesize: Too big: expected number to be <=${MAX_FILE_BYTES}`,
    },
    { name: 'bad name regex', input: { ...ok, name: '(' }, want: 'name: not a valid RE2 regular expression' },
    {
      name: 'backreference is not RE2',
      input: { ...ok, name: '(a)\\1' },
      want: 'name: not a valid RE2 regular expression',
    },
    { name: 'matchlimit 0', input: { ...ok, matchlimit: 0 }, want: 'matchlimit: Too small: expected number to be >=1' },
    { name: 'unknown field', input: { ...ok, content: 'x' }, want: 'Unrecognized key: "content"' },
  ])('$name', ({ input, want }) => {
    const parsed = yaraParams.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error === undefined ? '' : describeIssues(parsed.error)).toContain(want);
  });

  it('accepts a negated name regex', () => {
    expect(yaraParams.parse({ ...ok, name: '!\\.(log|gz)$' }).name).toBe('!\\.(log|gz)$');
  });
});
