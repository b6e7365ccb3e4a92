import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseApkInstalled } from './apk.js';
import { parseDpkgStatus } from './dpkg.js';
import { parseRpmQuery } from './rpm.js';

const fixture = (path: string): string => readFileSync(join(import.meta.dirname, 'fixtures', path), 'utf8');
const brief = (list: Iterable<{ name: string; version: string; arch: string }>): string[] =>
  [...list].map((p) => `${p.name} ${p.version} ${p.arch}`);

describe('parseDpkgStatus', () => {
  it('keeps installed packages only (held ones included), skipping continuation lines', () => {
    expect(brief(parseDpkgStatus(fixture('debian/var/lib/dpkg/status')))).toEqual([
      'libssl1.1 1.1.1f-1ubuntu2.16 amd64',
      'openssl 1.1.1f-1ubuntu2.16 amd64',
      'xz-utils 5.6.0-0.1 amd64',
      'liblzma5 5.6.1-1 amd64',
      'zlib1g 1:1.2.11.dfsg-2ubuntu1.5 amd64',
      'tzdata 2024a-0ubuntu0.20.04 all',
    ]);
  });

  it.each([
    {
      name: 'CRLF line endings and lower-case field names',
      input: 'package: a\r\nstatus: install ok installed\r\nversion: 1.0\r\n',
      want: ['a 1.0 '],
    },
    {
      name: 'several blank lines between stanzas',
      input:
        'Package: a\nStatus: install ok installed\nVersion: 1\n\n\n\nPackage: b\nStatus: install ok installed\nVersion: 2\n',
      want: ['a 1 ', 'b 2 '],
    },
    { name: 'a stanza without a version is skipped', input: 'Package: a\nStatus: install ok installed\n', want: [] },
    {
      name: 'not-installed states are skipped',
      input:
        'Package: a\nStatus: install ok unpacked\nVersion: 1\n\nPackage: b\nStatus: purge ok not-installed\nVersion: 1\n',
      want: [],
    },
    { name: 'empty file', input: '', want: [] },
  ])('$name', ({ input, want }) => {
    expect(brief(parseDpkgStatus(input))).toEqual(want);
  });
});

// Alike on purpose (duplicates): parse a fixture, list what was found; the shape of every parser
// case, the fixtures and wants are each one's own.
describe('parseApkInstalled', () => {
  it('reads P, V and A of every stanza (keys are case-sensitive: a: is not A:)', () => {
    expect(brief(parseApkInstalled(fixture('alpine/lib/apk/db/installed')))).toEqual([
      'musl 1.2.4-r2 x86_64',
      'libssl3 3.1.4-r5 x86_64',
      'libcrypto3 3.1.4-r5 x86_64',
      'openssl 3.1.4-r5 x86_64',
      'busybox 1.36.1-r15 x86_64',
    ]);
  });
});

describe('parseRpmQuery', () => {
  it.each([
    {
      name: 'no epoch',
      input: 'openssl\t(none)\t1.1.1k\t7.el8_6\tx86_64\n',
      want: ['openssl 1.1.1k-7.el8_6 x86_64'],
      wantMalformed: 0,
    },
    {
      name: 'with epoch',
      input: 'openssl-libs\t1\t1.1.1k\t7.el8_6\tx86_64\n',
      want: ['openssl-libs 1:1.1.1k-7.el8_6 x86_64'],
      wantMalformed: 0,
    },
    {
      name: 'gpg-pubkey has no arch',
      input: 'gpg-pubkey\t(none)\tfd431d51\t4ae0493b\t(none)\n',
      want: ['gpg-pubkey fd431d51-4ae0493b '],
      wantMalformed: 0,
    },
    {
      name: 'malformed lines are counted',
      input: 'half\tline\nok\t(none)\t1\t2\tnoarch\na\tb\tc\td\te\tf\n',
      want: ['ok 1-2 noarch'],
      wantMalformed: 2,
    },
  ])('$name', ({ input, want, wantMalformed }) => {
    const { packages, malformed } = parseRpmQuery(input);
    expect(brief(packages)).toEqual(want);
    expect(packages.every((p) => p.source === 'rpm')).toBe(true);
    expect(malformed).toBe(wantMalformed);
  });
});
