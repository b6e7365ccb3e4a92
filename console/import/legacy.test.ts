import { describe, expect, it } from 'vitest';
import { convertFilechecker } from './legacy-filechecker.js';
import { convertMigFileParams } from './legacy-file.js';
import { describeMig, isZeroTime } from './mig-schema.js';

const h64 = 'ab'.repeat(32);

describe('convertMigFileParams', () => {
  it.each([
    {
      name: 'current shape with matchall is left alone',
      input: { searches: { s: { paths: ['/a'], names: ['x'], options: { matchall: true, maxdepth: 2 } } } },
      want: { searches: { s: { paths: ['/a'], names: ['x'], options: { matchall: true, maxdepth: 2 } } } },
      wantWarnings: [],
    },
    {
      name: 'no matchall keeps MIG’s match-any meaning, warned when it matters',
      input: { searches: { s: { paths: ['/a'], names: ['x', 'y'] } } },
      want: { searches: { s: { paths: ['/a'], names: ['x', 'y'], options: { matchany: true } } } },
      wantWarnings: [
        'search s: without matchall MIG reports files matching any of its 2 filter values: set options.matchany',
      ],
    },
    {
      name: 'matchall false becomes matchany, silently with one filter value',
      input: { searches: { s: { paths: ['/a'], md5: ['m'], options: { matchall: false, maxdepth: 1 } } } },
      want: { searches: { s: { paths: ['/a'], md5: ['m'], options: { maxdepth: 1, matchany: true } } } },
      wantWarnings: [],
    },
    {
      name: 'explicit matchany is kept as written',
      input: { searches: { s: { paths: ['/a'], names: ['x', 'y'], options: { matchany: false } } } },
      want: { searches: { s: { paths: ['/a'], names: ['x', 'y'], options: { matchany: false } } } },
      wantWarnings: [],
    },
    {
      name: 'per-size hash keys merge into sha2 and sha3',
      input: {
        searches: {
          s: { paths: ['/a'], sha2: ['1'], sha256: ['2'], sha512: ['3'], sha3_256: ['4'], options: { matchall: true } },
        },
      },
      want: { searches: { s: { paths: ['/a'], sha2: ['1', '2', '3'], sha3: ['4'], options: { matchall: true } } } },
      wantWarnings: [
        'search s: moved sha256 to sha2 (MIG now picks the hash size from its length)',
        'search s: moved sha512 to sha2 (MIG now picks the hash size from its length)',
        'search s: moved sha3_256 to sha3 (MIG now picks the hash size from its length)',
      ],
    },
    {
      name: 'string options read as numbers, booleans and lists',
      input: {
        searches: {
          s: {
            paths: ['/a'],
            contents: ['c'],
            options: { maxdepth: '2', matchall: 'true', macroal: 'false', mismatch: 'content' },
          },
        },
      },
      want: {
        searches: {
          s: {
            paths: ['/a'],
            contents: ['c'],
            options: { maxdepth: 2, matchall: true, macroal: false, mismatch: ['content'] },
          },
        },
      },
      wantWarnings: [
        'search s: read options.maxdepth "2" as the number 2',
        'search s: read options.matchall "true" as the boolean true',
        'search s: read options.macroal "false" as the boolean false',
        'search s: read options.mismatch "content" as the list ["content"]',
      ],
    },
    {
      name: 'ambiguous strings are left for the schema to refuse',
      input: { searches: { s: { paths: ['/a'], names: ['x'], options: { maxdepth: 'deep', matchall: 'yes' } } } },
      want: { searches: { s: { paths: ['/a'], names: ['x'], options: { maxdepth: 'deep', matchall: 'yes' } } } },
      wantWarnings: [],
    },
    {
      name: 'duplicates removed',
      input: { searches: { s: { paths: ['/a', '/a'], sha2: [h64, h64, h64], options: { matchall: true } } } },
      want: { searches: { s: { paths: ['/a'], sha2: [h64], options: { matchall: true } } } },
      wantWarnings: ['search s: removed 1 duplicate paths value', 'search s: removed 2 duplicate sha2 values'],
    },
    { name: 'not file parameters at all', input: ['x'], want: ['x'], wantWarnings: [] },
  ])('$name', ({ input, want, wantWarnings }) => {
    const before = JSON.stringify(input);
    const got = convertMigFileParams(input);
    expect(got.parameters).toEqual(want);
    expect(got.warnings).toEqual(wantWarnings);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('a hostile __proto__ label stays a plain key', () => {
    const input = JSON.parse('{"searches":{"__proto__":{"paths":["/a"],"names":["x"]}}}') as unknown;
    const got = convertMigFileParams(input).parameters as { searches: object };
    expect(Object.keys(got.searches)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(got.searches)).toBe(Object.prototype);
  });
});

describe('convertFilechecker', () => {
  it.each([
    {
      name: 'each check becomes a search',
      input: {
        '/usr/bin': { sha256: { badbin: [h64] } },
        '/etc': { regex: { 'root entry': ['^toor:'] }, filename: { cron: ['^x$'] } },
      },
      want: {
        badbin: { paths: ['/usr/bin'], sha2: [h64] },
        root_entry: { paths: ['/etc'], contents: ['^toor:'] },
        cron: { paths: ['/etc'], names: ['^x$'] },
      },
      wantWarnings: [
        "converted MIG's retired filechecker module to file (3 searches)",
        'search cron: filename regex now matches the base name, not the full path',
      ],
      wantProblems: [],
    },
    {
      name: 'labels made valid and unique',
      input: { '/a': { md5: { '-x': ['m'] } }, '/b': { md5: { '-x': ['n'] } } },
      want: { 'ioc-x': { paths: ['/a'], md5: ['m'] }, 'ioc-x_2': { paths: ['/b'], md5: ['n'] } },
      wantWarnings: ["converted MIG's retired filechecker module to file (2 searches)"],
      wantProblems: [],
    },
    {
      name: 'what cannot convert is named',
      input: { '/etc': { filename: { p: ['^/etc/passwd$'] }, crc32: { c: ['1'] }, md5: { e: [] } }, '/x': 'nope' },
      want: {},
      wantWarnings: ["converted MIG's retired filechecker module to file (0 searches)"],
      wantProblems: [
        'path /x: expected an object of checks',
        'check /etc filename p: the regex matches a full path, which a file search name (base name only) cannot express',
        'check /etc crc32 c: unknown check type crc32 (expected one of filename, named, regex, contains, md5, sha1, sha256, sha384, sha512, sha3_224, sha3_256, sha3_384, sha3_512)',
        'check /etc md5 e: expected a list of strings',
      ],
    },
    {
      name: 'empty parameters',
      input: {},
      want: {},
      wantWarnings: ["converted MIG's retired filechecker module to file (0 searches)"],
      wantProblems: ['parameters: expected an object of paths to checks, got none'],
    },
  ])('$name', ({ input, want, wantWarnings, wantProblems }) => {
    const got = convertFilechecker(input);
    expect(got.parameters.searches).toEqual(want);
    expect(got.warnings).toEqual(wantWarnings);
    expect(got.problems).toEqual(wantProblems);
  });
});

describe('describeMig', () => {
  it.each([
    {
      name: 'full',
      input: { author: 'J V', email: 'j@x', url: 'https://x', revision: 201402231700.0 },
      want: 'author: J V <j@x>; url: https://x; revision: 201402231700',
    },
    { name: 'author only', input: { author: 'J V' }, want: 'author: J V' },
    { name: 'string kept', input: 'free text', want: 'free text' },
    { name: 'empty', input: {}, want: undefined },
    { name: 'absent', input: undefined, want: undefined },
  ])('$name', ({ input, want }) => {
    expect(describeMig(input)).toBe(want);
  });
});

describe('isZeroTime', () => {
  it.each([
    { name: "Go's zero time", input: '0001-01-01T00:00:00Z', want: true },
    { name: 'absent', input: undefined, want: true },
    { name: 'empty', input: '', want: true },
    { name: 'a real time', input: '2014-09-02T10:44:57Z', want: false },
  ])('$name', ({ input, want }) => {
    expect(isZeroTime(input)).toBe(want);
  });
});
