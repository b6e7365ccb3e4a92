import { describe, expect, it } from 'vitest';
import { moduleParams } from '../../test/helpers/modules/console-side.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { parseConstraint } from '../shared/packages/constraint.js';
import { pkgModule, pkgParams } from './spec.js';

// The contract every module owes (described fields, strict result, columns, examples) is checked
// for all of them in modules/registry.test.ts; here only what is pkg's own.

describe('pkgModule result', () => {
  it('package descriptions cannot ride along in a row', () => {
    const row = { name: 'a', version: '1', arch: '', source: 'dpkg' };
    expect(pkgModule.result.safeParse(row).success).toBe(true);
    expect(pkgModule.result.safeParse({ ...row, description: 'x' }).success).toBe(false);
  });
});

describe('CLI flags', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    {
      name: 'names and a constraint',
      input: ['-name', '^openssl$', '-version', '<1.1.1k'],
      want: { names: ['^openssl$'], versions: ['<1.1.1k'] },
    },
    {
      name: 'repeated flags',
      input: ['-name', 'a', '-name', 'b', '-version', '>=1', '-version', '<2', '-source', 'rpm'],
      want: { names: ['a', 'b'], versions: ['>=1', '<2'], sources: ['rpm'] },
    },
  ])('$name', ({ input, want }) => {
    expect(moduleParams(pkgModule, input)).toEqual(want);
  });

  it.each([
    { name: 'no name', input: ['-version', '<1'], wantMessage: /-name: expected one or more values, got nothing/ },
    { name: 'a bad regex names the flag', input: ['-name', 'a(b'], wantMessage: /-name: not a valid RE2/ },
    {
      name: 'a constraint without operator names the flag',
      input: ['-name', 'a', '-version', '1.1.1k'],
      wantMessage: /-version: expected an operator \(< <= = >= > !=\) then a version, like <1.1.1k, got "1.1.1k"/,
    },
    {
      name: 'an unknown source',
      input: ['-name', 'a', '-source', 'pacman'],
      wantMessage: /-source: expected one of dpkg, rpm, apk/,
    },
  ])('$name', ({ input, wantMessage }) => {
    expect(() => moduleParams(pkgModule, input)).toThrow(wantMessage);
  });
});

describe('params errors name the field', () => {
  it.each([
    {
      name: 'empty names',
      input: { names: [] },
      want: 'p.names: expected at least one package name regex, e.g. ^openssl$',
    },
    {
      name: 'empty regex',
      input: { names: [''] },
      want: 'p.names.0: expected a regular expression, got an empty string',
    },
    {
      name: 'constraint with a space inside',
      input: { names: ['a'], versions: ['< 1.0 beta'] },
      want: 'p.versions.0: expected a version of letters, digits and . + ~ : _ ^ -, starting with a letter or digit, got "1.0 beta"',
    },
    {
      name: 'operator alone',
      input: { names: ['a'], versions: ['<='] },
      want: 'p.versions.0: expected a version after <=, got "<="',
    },
    { name: 'unknown field', input: { names: ['a'], version: '<1' }, want: 'p: Unrecognized key: "version"' },
  ])('$name', ({ input, want }) => {
    const parsed = pkgParams.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error === undefined ? '' : describeIssues(parsed.error, 'p')).toBe(want);
  });
});

describe('parseConstraint', () => {
  it.each([
    { name: 'less than', input: '<1.1.1k', want: { op: '<', version: '1.1.1k' } },
    { name: 'two-character operator, spaces', input: ' >= 2:8.9p1-3 ', want: { op: '>=', version: '2:8.9p1-3' } },
    { name: 'not equal', input: '!=3.0.2-0ubuntu1.10', want: { op: '!=', version: '3.0.2-0ubuntu1.10' } },
    { name: 'rpm caret and tilde', input: '=1.0~rc1^git2', want: { op: '=', version: '1.0~rc1^git2' } },
    {
      name: 'no operator',
      input: '1.0',
      want: 'expected an operator (< <= = >= > !=) then a version, like <1.1.1k, got "1.0"',
    },
    {
      name: 'shell-like operator',
      input: '=<1.0',
      want: 'expected a version of letters, digits and . + ~ : _ ^ -, starting with a letter or digit, got "<1.0"',
    },
  ])('$name', ({ input, want }) => {
    expect(parseConstraint(input)).toEqual(want);
  });
});
