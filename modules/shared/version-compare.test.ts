import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  orderingHolds,
  parseEvr,
  rpmvercmp,
  VERSION_OPS,
  versionSatisfies,
  type VersionScheme,
} from './version-compare.js';

interface Case {
  name: string;
  a: string;
  b: string;
  want: -1 | 0 | 1;
}

const pair = (a: string, b: string, want: -1 | 0 | 1): Case => ({ name: `${a} vs ${b}`, a, b, want });

/** Debian policy 5.6.12 and dpkg's own test vectors. */
const DPKG: Case[] = [
  pair('1.0', '1.0', 0),
  pair('0:1.0', '1.0', 0),
  pair('1.0', '1.0-0', 0),
  pair('1.0', '1.0-1', -1),
  pair('1:1.0', '2.0', 1),
  pair('1.0-1', '1.0-2', -1),
  pair('1.0-1', '1.0.1-1', -1),
  pair('2.30-1', '2.4-1', 1),
  pair('1.0~rc1', '1.0', -1),
  pair('1.0~~', '1.0~', -1),
  pair('1.0~~', '1.0~~a', -1),
  pair('1.0~~a', '1.0~', -1),
  pair('1.0a', '1.0', 1),
  pair('1.0a', '1.0+', -1),
  pair('1.0+b1', '1.0', 1),
  pair('1.002', '1.2', 0),
  pair('1.1.1f-1ubuntu2.16', '1.1.1k', -1),
  pair('3.0.2-0ubuntu1.10', '3.0.2-0ubuntu1.9', 1),
  pair('2:8.9p1-3', '1:9.6p1-1', 1),
  pair('7.6p1-4ubuntu0.3', '7.6p1-4ubuntu0.7', -1),
  pair('1.2.3-1~deb11u1', '1.2.3-1', -1),
];

/** rpm's own rpmvercmp.at vectors. */
// Alike on purpose (duplicates): test vectors, one row a case; their shared shape is the table's.
const RPM: Case[] = [
  pair('1.0', '2.0', -1),
  pair('2.0.1', '2.0', 1),
  pair('2.0.1a', '2.0.1', 1),
  pair('5.5p1', '5.5p10', -1),
  pair('10xyz', '10.1xyz', -1),
  pair('xyz10', 'xyz10.1', -1),
  pair('xyz.4', '8', -1),
  pair('8', 'xyz.4', 1),
  pair('6.0.rc1', '6.0', 1),
  pair('10b2', '10a1', 1),
  pair('1.0a', '1.0aa', -1),
  pair('10.0001', '10.1', 0),
  pair('10.0001', '10.0039', -1),
  pair('4.999.9', '5.0', -1),
  pair('2.0', '2_0', 0),
  pair('+_', '_+', 0),
  pair('1.0~rc1', '1.0', -1),
  pair('1.0~rc1~git123', '1.0~rc1', -1),
  pair('1.0^', '1.0', 1),
  pair('1.0^git1', '1.01', -1),
  pair('1.0^20160101', '1.0.1', -1),
  pair('1.0~rc1^git1', '1.0~rc1', 1),
  pair('1.0^git1~pre', '1.0^git1', -1),
  pair('1:1.0-1', '2.0-1', 1),
  pair('1.0.2k-19.el7', '1.0.2k-24.el7_9', -1),
  pair('1.1.1k-7.el8_6', '1.1.1k-12.el8_9', -1),
];

// Alike on purpose (duplicates): test vectors, one row a case; their shared shape is the table's.
const APK: Case[] = [
  pair('1.0', '1.0.1', -1),
  pair('1.0_alpha', '1.0', -1),
  pair('1.0_alpha', '1.0_beta', -1),
  pair('1.0_rc1', '1.0', -1),
  pair('1.0_rc1', '1.0_rc2', -1),
  pair('1.0_p1', '1.0', 1),
  pair('1.2.3_git20200101', '1.2.3', 1),
  pair('1.0a', '1.0', 1),
  pair('1.0a', '1.0b', -1),
  pair('1.0-r1', '1.0-r0', 1),
  pair('1.0-r1', '1.0.1-r0', -1),
  pair('1.0', '1.0-r0', 0),
  pair('3.0.8-r0', '3.0.10-r0', -1),
  pair('1.1.1k-r0', '1.1.1t-r2', -1),
  pair('2.0~ab12-r1', '2.0-r1', 0),
  // Outside apk's grammar: rpmvercmp decides.
  pair('1.0.x', '1.0.9', -1),
];

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe.each<{ scheme: VersionScheme; cases: Case[] }>([
  { scheme: 'dpkg', cases: DPKG },
  { scheme: 'rpm', cases: RPM },
  { scheme: 'apk', cases: APK },
])('compareVersions $scheme', ({ scheme, cases }) => {
  it.each(cases)('$name', ({ a, b, want }) => {
    expect(sign(compareVersions(scheme, a, b))).toBe(want);
    expect(sign(compareVersions(scheme, b, a))).toBe(-want || 0);
  });
});

const hasDpkg = (() => {
  try {
    execFileSync('dpkg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasDpkg)('dpkg ordering agrees with dpkg --compare-versions (skipped without dpkg)', () => {
  it.each(DPKG)('$name', ({ a, b }) => {
    const dpkgSays = (op: string): boolean => {
      try {
        execFileSync('dpkg', ['--compare-versions', a, op, b], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    };
    const want = dpkgSays('lt') ? -1 : dpkgSays('eq') ? 0 : 1;
    expect(sign(compareVersions('dpkg', a, b))).toBe(want);
  });
});

describe('rpmvercmp', () => {
  it('identical strings are equal without looking inside', () => {
    expect(rpmvercmp('~~weird..', '~~weird..')).toBe(0);
  });
});

describe('parseEvr', () => {
  it.each([
    { name: 'plain', input: '1.2.3', want: { epoch: 0, version: '1.2.3', release: undefined } },
    {
      name: 'epoch and release',
      input: '2:8.9p1-3ubuntu0.1',
      want: { epoch: 2, version: '8.9p1', release: '3ubuntu0.1' },
    },
    {
      name: 'hyphens in upstream: the last one starts the release',
      input: '1.0-beta-2',
      want: { epoch: 0, version: '1.0-beta', release: '2' },
    },
    {
      name: 'a colon without digits is not an epoch',
      input: 'a:1',
      want: { epoch: 0, version: 'a:1', release: undefined },
    },
  ])('$name', ({ input, want }) => {
    expect(parseEvr(input)).toEqual(want);
  });
});

describe('versionSatisfies: a constraint without a release matches any release', () => {
  it.each([
    { name: 'dpkg = upstream only', input: ['dpkg', '1.1.1f-1ubuntu2', '=', '1.1.1f'], want: true },
    { name: 'dpkg = with a different revision', input: ['dpkg', '1.1.1f-1ubuntu2', '=', '1.1.1f-1'], want: false },
    { name: 'dpkg < fixed upstream', input: ['dpkg', '1.1.1f-1ubuntu2.16', '<', '1.1.1k'], want: true },
    { name: 'dpkg epoch beats upstream', input: ['dpkg', '1:1.0-1', '<', '2.0'], want: false },
    { name: 'rpm <= same version', input: ['rpm', '1.1.1k-7.el8_6', '<=', '1.1.1k'], want: true },
    { name: 'rpm != other release', input: ['rpm', '1.1.1k-7.el8_6', '!=', '1.1.1k-12.el8_9'], want: true },
    { name: 'rpm > older', input: ['rpm', '3.0.7-1.el9', '>', '3.0.1'], want: true },
    { name: 'apk >= without revision', input: ['apk', '3.1.4-r5', '>=', '3.1.4'], want: true },
    { name: 'apk < with revision', input: ['apk', '3.1.4-r5', '<', '3.1.4-r6'], want: true },
  ] as const)('$name', ({ input, want }) => {
    const [scheme, installed, op, wanted] = input;
    expect(versionSatisfies(scheme, installed, op, wanted)).toBe(want);
  });

  it('every operator maps an ordering', () => {
    const table = VERSION_OPS.map((op) => [op, [-1, 0, 1].map((o) => orderingHolds(op, o))]);
    expect(table).toEqual([
      ['<', [true, false, false]],
      ['<=', [true, true, false]],
      ['=', [false, true, false]],
      ['>=', [false, true, true]],
      ['>', [false, false, true]],
      ['!=', [true, false, true]],
    ]);
  });
});
