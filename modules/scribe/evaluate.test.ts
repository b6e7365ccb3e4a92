import { describe, expect, it } from 'vitest';
import type { Collected } from './collect.js';
import { scribeDocument } from './document.js';
import { Evaluator } from './evaluate.js';

const deb = (version: string) => ({ identifier: 'openssl', value: version, scheme: 'dpkg' as const });
const line = (path: string, value: string) => ({ identifier: path, value });

/** Evaluates `tests` (all on object o, or on the object each names) against collected values. */
function rows(tests: unknown[], collected: Record<string, Collected>) {
  const objects = Object.keys(collected).map((object) => ({ object, package: { name: object } }));
  const doc = scribeDocument.parse({ objects, tests });
  return new Evaluator(doc, new Map(Object.entries(collected))).rows();
}

describe('one test', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the table's.
  it.each([
    {
      name: 'evr < passes on the satisfying instance',
      test: { evr: { operation: 'lessthan', value: '1.1.1k' } },
      values: [deb('3.0.2-0ubuntu1'), deb('1.1.1f-1ubuntu2.16')],
      want: { result: 'pass', identifier: 'openssl', value: '1.1.1f-1ubuntu2.16' },
    },
    {
      name: 'evr < fails, naming the first value judged',
      test: { evr: { operation: '<', value: '1.1.1k' } },
      values: [deb('1.1.1n-0+deb11u5')],
      want: { result: 'fail', identifier: 'openssl', value: '1.1.1n-0+deb11u5' },
    },
    // Alike on purpose (duplicates): one row per evr comparison and package version; the rows differ in operation and
    // versions, which is the case.
    {
      name: "evr uses the package's ordering (dpkg ~ before the release)",
      test: { evr: { operation: '<', value: '2.0' } },
      values: [deb('2.0~rc1-1')],
      want: { result: 'pass' },
    },
    {
      name: 'evr on file values orders like rpm by default',
      test: { evr: { operation: '>=', value: '2.0' } },
      values: [line('/a', '2.0~rc1')],
      want: { result: 'fail' },
    },
    {
      name: 'evr scheme can be forced',
      test: { evr: { operation: '=', value: '1.0', scheme: 'apk' } },
      values: [line('/a', '1.0-r3')],
      want: { result: 'pass' },
    },
    {
      name: 'evr = ignores the release when the value has none',
      test: { evr: { operation: 'equal', value: '1.1.1f' } },
      values: [deb('1.1.1f-1ubuntu2.16')],
      want: { result: 'pass' },
    },
    {
      name: 'evr with an epoch',
      test: { evr: { operation: 'greaterthan', value: '1.2.99' } },
      values: [deb('1:1.2.11.dfsg-2')],
      want: { result: 'pass' },
    },
    {
      name: 'regexp passes on any value',
      test: { regexp: { value: '^no$' } },
      values: [line('/etc/ssh/sshd_config', 'yes'), line('/etc/ssh/sshd_config', 'no')],
      want: { result: 'pass', identifier: '/etc/ssh/sshd_config' },
    },
    { name: 'regexp fails without values', test: { regexp: { value: '.' } }, values: [], want: { result: 'fail' } },
    {
      name: 'no evaluator: exists',
      test: {},
      values: [line('/etc/x', 'x')],
      want: { result: 'pass', identifier: '/etc/x' },
    },
    { name: 'exists without values', test: { exists: true }, values: [], want: { result: 'fail' } },
    { name: 'noexists without values', test: { noexists: true }, values: [], want: { result: 'pass' } },
    { name: 'noexists with values', test: { noexists: true }, values: [line('/etc/x', 'x')], want: { result: 'fail' } },
    {
      name: 'not inverts',
      test: { regexp: { value: '^yes$' }, not: true },
      values: [line('/c', 'no')],
      want: { result: 'pass', identifier: '/c' },
    },
    {
      name: 'not inverts a pass',
      test: { regexp: { value: '^yes$' }, not: true },
      values: [line('/c', 'no'), line('/c', 'yes')],
      want: { result: 'fail' },
    },
  ])('$name', ({ test, values, want }) => {
    const [row] = rows([{ test: 't', object: 'o', ...test }], { o: { candidates: values } });
    expect(row).toMatchObject({ test: 't', name: 't', object: 'o', ...want });
    if (!('identifier' in want)) expect(row?.identifier).toBe(values[0]?.identifier);
  });
});

describe('values that may leave the host', () => {
  it.each([
    { name: 'a package version', value: deb('1:1.1.1f-1ubuntu2.16'), want: '1:1.1.1f-1ubuntu2.16' },
    { name: 'a dotted number from a file', value: line('/a', '1.4.5'), want: '1.4.5' },
    { name: 'with a letter', value: line('/a', '1.1.1k'), want: '1.1.1k' },
    { name: 'a hash prefix', value: line('/etc/shadow', '$6$'), want: undefined },
    { name: 'a setting', value: line('/c', 'no'), want: undefined },
    { name: 'digits and letters from a file (a token, a hash)', value: line('/c', '4f3a9c0d1e'), want: undefined },
    { name: 'a bare number', value: line('/c', '1234'), want: undefined },
  ])('$name', ({ value, want }) => {
    const [row] = rows([{ test: 't', object: 'o' }], { o: { candidates: [value] } });
    expect(row?.value).toBe(want);
  });
});

describe('dependencies and errors', () => {
  const present = { candidates: [line('/x', 'x')] };
  const absent = { candidates: [] };
  const broken = { candidates: [], problem: '/etc/shadow: cannot read (EACCES)' };
  it.each([
    { name: 'if: every dependency passes', collected: { a: present, b: present }, want: ['pass', 'pass'] },
    { name: 'if: a failed dependency fails the test', collected: { a: present, b: absent }, want: ['fail', 'fail'] },
    {
      name: 'an object that could not be gathered is an error, and so are its dependants',
      collected: { a: present, b: broken },
      want: ['error', 'error'],
    },
    { name: 'an error in the test itself', collected: { a: broken, b: present }, want: ['error', 'pass'] },
  ])('$name', ({ collected, want }) => {
    const out = rows(
      [
        { test: 'main', object: 'a', description: 'the main check', if: ['dep'] },
        { test: 'dep', object: 'b' },
      ],
      collected,
    );
    expect(out.map((r) => r.result)).toEqual(want);
    expect(out[0]?.name).toBe('the main check');
    if (want[0] === 'error') expect(out[0]?.error).toMatch(/cannot read \(EACCES\)|dependency dep could not be judged/);
  });

  it('a dependency listed after its dependant is judged once', () => {
    const out = rows(
      [
        { test: 'a', object: 'o', if: ['b'] },
        { test: 'b', object: 'o', if: ['c'] },
        { test: 'c', object: 'o', noexists: true },
      ],
      { o: { candidates: [] } },
    );
    expect(out.map((r) => `${r.test}:${r.result}`)).toEqual(['a:fail', 'b:fail', 'c:pass']);
  });
});
