import { describe, expect, it } from 'vitest';
import { fileParams } from '../shared/search/params.js';
import { fileModule } from './spec.js';

// The contract every module owes (described fields, strict result, columns, examples) is checked
// for all of them in modules/registry.test.ts; here only what is file's own.

describe('fileModule result', () => {
  it('file contents cannot ride along in a row', () => {
    const row = { search: 's1', path: '/etc/passwd', size: 1, mode: '-rw-r--r--', mtime: '2026-01-01T00:00:00.000Z' };
    expect(fileModule.result.safeParse(row).success).toBe(true);
    expect(fileModule.result.safeParse({ ...row, content: 'root:x:0:0' }).success).toBe(false);
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
            options: {
              maxdepth: 2,
              matchall: true,
              macroal: true,
              mismatch: ['md5'],
              matchlimit: 5,
              maxerrors: 7,
              decompress: true,
              returnsha256: true,
            },
          },
        },
      },
    },
  ])('$name', ({ input, want }) => {
    expect(fileModule.cli.toParams(fileModule.cli.schema.parse(input))).toEqual(want);
  });

  it('-matchall with -matchany is refused by the params schema, naming both', () => {
    const params = fileModule.cli.toParams(
      fileModule.cli.schema.parse({ path: ['/'], name: ['x'], matchall: true, matchany: true }),
    );
    expect(fileParams.safeParse(params).error?.issues.map((i) => i.message)).toEqual([
      'matchall and matchany are exclusive, got both true',
    ]);
  });
});
