import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../../protocol/zod-issues.js';
import { fileParams } from './params.js';

// MIG's own published actions, kept in the repository.
const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/mig-actions');
const SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function problems(params: unknown): string {
  const parsed = fileParams.safeParse(params);
  return parsed.success ? '' : describeIssues(parsed.error);
}

const search = (fields: Record<string, unknown>) => ({ searches: { s1: { paths: ['/etc'], ...fields } } });

/** MIG's own action files: every file operation in syntaxversion-2 shape validates as it is. */
function migFileOperations(): { name: string; parameters: unknown }[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) => {
      const action = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as {
        operations: { module: string; parameters: unknown }[];
      };
      return action.operations
        .filter((op) => op.module === 'file')
        .map((op, i) => ({ name: `${file} #${i}`, parameters: op.parameters }));
    });
}

describe('fileParams accepts', () => {
  it.each(migFileOperations())('MIG action file $name', ({ parameters }) => {
    expect(problems(parameters)).toBe('');
  });

  it.each([
    { name: 'sha2 of each length', input: search({ sha2: [SHA256, 'a'.repeat(96), 'B'.repeat(128)] }) },
    {
      name: 'sha3 of each length',
      input: search({ sha3: ['a'.repeat(56), 'a'.repeat(64), 'a'.repeat(96), 'a'.repeat(128)] }),
    },
    {
      name: 'md5 and sha1, upper case',
      input: search({ md5: ['D41D8CD98F00B204E9800998ECF8427E'], sha1: [SHA1.toUpperCase()] }),
    },
    { name: 'sizes with and without prefix', input: search({ sizes: ['<10m', '>1k', '=0', '42', '>2t', '<1g'] }) },
    { name: 'mtimes in d, h, m', input: search({ mtimes: ['<90d', '>5h', '<30m'] }) },
    {
      name: 'negated and flagged regexes',
      input: search({ names: ['!^\\.', '(?i)^README'], contents: ['!^root:\\$6', '\\bpassword\\b'] }),
    },
    { name: 'a lone ! is a literal pattern', input: search({ names: ['!'] }) },
    {
      name: 'matchany with mismatch',
      input: search({ names: ['x'], sha1: [SHA1], options: { matchany: true, mismatch: ['sha1'] } }),
    },
    { name: 'macroal with contents', input: search({ contents: ['^#'], options: { macroal: true } }) },
    { name: 'matchall false means matchany (MIG)', input: search({ names: ['x'], options: { matchall: false } }) },
    {
      name: 'a path to a file and the root',
      input: { searches: { s1: { paths: ['/etc/passwd', '/'], names: ['x'] } } },
    },
  ])('$name', ({ input }) => {
    expect(problems(input)).toBe('');
  });

  it('applies the option defaults', () => {
    const parsed = fileParams.parse(search({ names: ['x'] }));
    expect(parsed.searches.s1?.options).toEqual({
      maxdepth: 1000,
      macroal: false,
      matchlimit: 1000,
      maxerrors: 30,
      decompress: false,
      returnsha256: false,
    });
  });
});

describe('fileParams refuses, naming the field, what was given and what was expected', () => {
  it.each([
    {
      name: 'sha1 given as sha2',
      input: search({ sha2: [SHA1] }),
      want: 'searches.s1.sha2.0: expected 64, 96 or 128 hex chars (sha256/384/512), got 40; did you pass a sha1 (use sha1)?',
    },
    {
      name: 'sha256 given as md5',
      input: search({ md5: [SHA256] }),
      want: 'searches.s1.md5.0: expected 32 hex chars (md5), got 64; did you pass a sha256 (use sha2)',
    },
    {
      name: 'md5 given as sha3',
      input: search({ sha3: ['d41d8cd98f00b204e9800998ecf8427e'] }),
      want: 'searches.s1.sha3.0: expected 56, 64, 96 or 128 hex chars (sha3-224/256/384/512), got 32; did you pass an md5',
    },
    {
      name: 'odd sha1 length',
      input: search({ sha1: ['abc'] }),
      want: 'searches.s1.sha1.0: expected 40 hex chars (sha1), got 3',
    },
    {
      name: 'non-hex digest',
      input: search({ md5: ['z'.repeat(32)] }),
      want: 'searches.s1.md5.0: expected hex digits only, got "z" at position 0',
    },
    {
      name: 'size with a word unit',
      input: search({ sizes: ['10mb'] }),
      want: 'searches.s1.sizes.0: expected a size like <10m, >1k or =0 (units k, m, g, t are powers of 1024), got "10mb"',
    },
    {
      name: 'size beyond 2^53',
      input: search({ sizes: ['>99999999999t'] }),
      want: 'searches.s1.sizes.0: expected a size like',
    },
    {
      name: 'mtime without a direction',
      input: search({ mtimes: ['90d'] }),
      want: 'searches.s1.mtimes.0: expected an age like <90d',
    },
    { name: 'mtime in weeks', input: search({ mtimes: ['<2w'] }), want: 'got "<2w"' },
    // Alike on purpose (duplicates): one row per bad parameter with the exact message the user reads; rows differ in
    // field and value, which is what each tests.
    {
      name: 'regex that does not compile',
      input: search({ names: ['(a'] }),
      want: 'searches.s1.names.0: not a valid RE2 regular expression (error parsing regexp: missing closing ): `(a`)',
    },
    {
      name: 'negated regex that does not compile',
      input: search({ contents: ['!a**'] }),
      want: 'searches.s1.contents.0: not a valid RE2 regular expression (error parsing regexp: invalid nested repetition operator',
    },
    {
      name: 'backreference (not RE2)',
      input: search({ contents: ['(a)\\1'] }),
      want: 'invalid escape sequence: `\\1`',
    },
    {
      name: 'lookahead (not RE2)',
      input: search({ contents: ['a(?=b)'] }),
      want: 'searches.s1.contents.0: not a valid RE2 regular expression',
    },
    {
      name: 'empty regex',
      input: search({ names: [''] }),
      want: 'searches.s1.names.0: expected a regular expression, got an empty string',
    },
    {
      name: 'mode regex that does not compile',
      input: search({ modes: ['[rwx'] }),
      want: 'searches.s1.modes.0: not a valid RE2 regular expression',
    },
    {
      name: 'relative path',
      input: { searches: { s1: { paths: ['etc'], names: ['x'] } } },
      want: 'searches.s1.paths.0: expected an absolute path (starting with /), got "etc"',
    },
    { name: 'no path', input: { searches: { s1: { paths: [], names: ['x'] } } }, want: 'searches.s1.paths: Too small' },
    {
      name: 'no filter',
      input: search({}),
      want: 'searches.s1: expected at least one filter (names, contents, sizes, modes, mtimes, md5, sha1, sha2, sha3), got only paths',
    },
    {
      name: 'matchall and matchany',
      input: search({ names: ['x'], options: { matchall: true, matchany: true } }),
      want: 'searches.s1.options: matchall and matchany are exclusive, got both true',
    },
    {
      name: 'matchall and matchany both false',
      input: search({ names: ['x'], options: { matchall: false, matchany: false } }),
      want: 'searches.s1.options: expected matchall or matchany to be true',
    },
    {
      name: 'macroal without contents',
      input: search({ names: ['x'], options: { macroal: true } }),
      want: 'searches.s1.options.macroal: macroal applies to content regexes, but this search has no contents',
    },
    {
      name: 'mismatch on an unused filter',
      input: search({ names: ['x'], options: { mismatch: ['sha2'] } }),
      want: 'searches.s1.options.mismatch.0: mismatch=sha2, but this search has no sha2 filter (it has name)',
    },
    {
      name: 'mismatch that is no filter',
      input: search({ names: ['x'], options: { mismatch: ['names'] } }),
      want: 'searches.s1.options.mismatch.0: Invalid option: expected one of "name"|"content"',
    },
    {
      name: 'maxdepth out of range',
      input: search({ names: ['x'], options: { maxdepth: -1 } }),
      want: 'searches.s1.options.maxdepth: Too small',
    },
    {
      name: 'matchlimit zero',
      input: search({ names: ['x'], options: { matchlimit: 0 } }),
      want: 'searches.s1.options.matchlimit: Too small',
    },
    {
      name: 'fractional maxerrors',
      input: search({ names: ['x'], options: { maxerrors: 1.5 } }),
      want: 'searches.s1.options.maxerrors: Invalid input: expected int',
    },
    {
      name: 'unknown option',
      input: search({ names: ['x'], options: { remotefs: true } }),
      want: 'searches.s1.options: Unrecognized key: "remotefs"',
    },
    {
      name: 'legacy flat shape',
      input: { paths: ['/etc'], names: ['x'] },
      want: '(root): Unrecognized keys: "paths", "names"',
    },
    {
      name: 'legacy filter in a search (MIG 2014 "filename")',
      input: search({ filename: ['x'], names: ['x'] }),
      want: 'searches.s1: Unrecognized key: "filename"',
    },
    {
      name: 'label with a space',
      input: { searches: { 'my search': { paths: ['/'], names: ['x'] } } },
      want: 'searches.my search: expected a label of 1-64 letters',
    },
    {
      name: '__proto__ label',
      input: JSON.parse('{"searches": {"__proto__": {"paths": ["/"], "names": ["x"]}}}') as unknown,
      want: 'searches.__proto__: expected a label',
    },
    { name: 'no search', input: { searches: {} }, want: 'searches: expected at least one search, got none' },
    {
      name: 'too many hashes',
      input: search({ md5: Array.from({ length: 10_001 }, () => 'a'.repeat(32)) }),
      want: 'searches.s1.md5: Too big',
    },
    {
      name: 'too many searches',
      input: {
        searches: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`s${i}`, { paths: ['/'], names: ['x'] }])),
      },
      want: 'searches: expected at most 64 searches, got 65',
    },
  ])('$name', ({ input, want }) => {
    expect(problems(input)).toContain(want);
  });

  it('reports every bad field at once', () => {
    const got = problems({
      searches: { s1: { paths: ['etc'], sha2: [SHA1], sizes: ['big'] }, s2: { paths: ['/'], names: ['(a'] } },
    });
    expect(got.split('; searches.').length).toBe(4);
  });
});
