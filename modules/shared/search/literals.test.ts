import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { literalFinder, requiredLiterals } from './literals.js';
import { seededInts } from '../../../test/helpers/seeded-ints.js';

type Want = { sets: string[][]; isFolded: boolean; always?: string } | undefined;

describe('requiredLiterals: sets of strings, a member of each of which every match contains', () => {
  // Alike on purpose (duplicates): one row per pattern with the literal sets it must yield; the rows differ in
  // pattern and sets, which is the case.
  it.each<{ name: string; input: string; want: Want }>([
    {
      name: 'alternation times a literal, folded',
      input: '(?i)(cmd|powershell)\\.exe.*-enc',
      want: { sets: [['cmd.exe', 'powershell.exe'], ['-enc']], isFolded: true },
    },
    {
      name: 'a starred part contributes nothing',
      input: '[a-z]+[0-9]{3}@evil\\.(com|net)',
      want: { sets: [['@evil.com', '@evil.net']], isFolded: false, always: '@evil.' },
    },
    {
      name: 'a single literal is also a byte prefilter',
      input: 'mig-bench-absent-[0-9a-f]+x',
      want: { sets: [['mig-bench-absent-']], isFolded: false, always: 'mig-bench-absent-' },
    },
    {
      name: 'optional part: both spellings',
      input: 'colou?r',
      want: { sets: [['color', 'colour']], isFolded: false, always: 'colo' },
    },
    {
      name: 'star breaks the run: the longer side first',
      input: 'abc(def)*ghij',
      want: { sets: [['ghij'], ['abc']], isFolded: false, always: 'ghij' },
    },
    {
      name: 'plus keeps its operand required',
      input: 'x+(foo|bar)+y',
      want: { sets: [['bar', 'foo']], isFolded: false, always: 'x' },
    },
    {
      name: 'small class multiplies; common suffix is always there',
      input: '[ab]cde',
      want: { sets: [['acde', 'bcde']], isFolded: false, always: 'cde' },
    },
    {
      name: 'anchors and word boundaries match no text',
      input: '^\\broot:x\\b',
      want: { sets: [['root:x']], isFolded: false, always: 'root:x' },
    },
    { name: 'quoted text', input: '\\Q.*exe\\E', want: { sets: [['.*exe']], isFolded: false, always: '.*exe' } },
    {
      name: 'a repeat after \\Q...\\E applies to its last character',
      input: '\\Qab\\E?cdef',
      want: { sets: [['abcdef', 'acdef']], isFolded: false, always: 'cdef' },
    },
    { name: 'exact repeat once', input: 'ab{1}cd', want: { sets: [['abcd']], isFolded: false, always: 'abcd' } },
    { name: 'folding inside a group only', input: '(?i:x)abcd', want: { sets: [['xabcd']], isFolded: true } },
    { name: 'folding switched off', input: '(?i)x(?-i)abcd', want: { sets: [['xabcd']], isFolded: true } },
    {
      name: 'folded non-ASCII is unknown (its case orbit may differ between engines)',
      input: '(?i)éabcd',
      want: { sets: [['abcd']], isFolded: true },
    },
    {
      name: 'unfolded non-ASCII is a literal',
      input: 'café\\x{2615}',
      want: { sets: [['café☕']], isFolded: false, always: 'café☕' },
    },
    {
      name: 'a common prefix never cuts a surrogate pair',
      input: '\\x{1F600}ab|\\x{1F601}ab',
      want: { sets: [['\u{1F600}ab', '\u{1F601}ab']], isFolded: false, always: 'ab' },
    },
    { name: 'a branch without literals: nothing required', input: 'foo|.*', want: undefined },
    { name: 'only classes and repeats', input: '[a-z]+[0-9]{3}', want: undefined },
    {
      name: 'literals shorter than 3 are not searched',
      input: 'ab.*cd',
      want: { sets: [], isFolded: false, always: 'ab' },
    },
    { name: 'a negated class is unknown', input: '[^a]bcd', want: { sets: [['bcd']], isFolded: false, always: 'bcd' } },
    {
      name: 'a count with a leading zero is literal text to re2js: not guessed at',
      input: 'a{01}bcd',
      want: undefined,
    },
    {
      name: 'named and non-capturing groups',
      input: '(?P<x>abc)(?:def)',
      want: { sets: [['abcdef']], isFolded: false, always: 'abcdef' },
    },
    { name: 'a repeat after (?i) repeats what came before it', input: 'abcd(?i)*', want: undefined },
    {
      name: 'U+FFFD is never a byte literal',
      input: 'ab\\x{fffd}cd',
      want: { sets: [['ab\uFFFDcd']], isFolded: false },
    },
    {
      name: 'long literals are cut into runs of 256',
      input: `${'a'.repeat(300)}x*`,
      want: { sets: [['a'.repeat(256)], ['a'.repeat(44)]], isFolded: false, always: 'a'.repeat(256) },
    },
    {
      name: 'too many alternatives for a fast search',
      input: `(${Array.from({ length: 17 }, (_, i) => `ioc${i}`).join('|')})x*`,
      want: undefined,
    },
  ])('$name: $input', ({ input, want }) => {
    const got = requiredLiterals(input);
    const sorted = got === undefined ? undefined : { ...got, sets: got.sets.map((set) => [...set].sort()) };
    expect(sorted).toEqual(want === undefined ? undefined : { always: undefined, ...want });
  });
});

describe('requiredLiterals is sound: every line re2js matches holds a required literal', () => {
  const pieces = [
    'abc',
    'b',
    'a',
    'c',
    '.',
    '(?i)',
    '(?-i)',
    '(?i:ab)',
    '(ab|ca)',
    // Alike on purpose (duplicates): the pieces this test's generated patterns are built from; regex.test.ts picks
    // its own for its engine, and sharing the list would couple the two generated tests.
    '[ab]',
    '[^c]',
    'b?',
    'c*',
    '(bc)+',
    '\\Qa.c\\E',
    'k',
    's',
    'é',
    '^',
    '$',
    '\\b',
    'a{1}',
    'b{0}',
    '(|ab)',
    '\\s',
  ];
  const alphabet = ['a', 'b', 'c', 'A', 'B', 'C', '.', 'k', 'K', '\u212A', 's', 'S', '\u017F', 'é', 'É', ' '];

  it('on generated patterns and lines', () => {
    const rand = seededInts(11);
    let checked = 0;
    for (let round = 0; round < 600; round++) {
      const pattern = Array.from({ length: 1 + rand(6) }, () => pieces[rand(pieces.length)]).join('');
      const required = requiredLiterals(pattern);
      if (required === undefined) continue;
      const re = RE2JS.compile(pattern);
      const finders = required.sets.map((set) => literalFinder(set, required.isFolded));
      for (let n = 0; n < 200; n++) {
        const line = Array.from({ length: rand(9) }, () => alphabet[rand(alphabet.length)]).join('');
        if (!re.test(line)) continue;
        checked++;
        expect({ pattern, line, hasLiterals: finders.every((find) => find(line, 0) >= 0) }).toEqual({
          pattern,
          line,
          hasLiterals: true,
        });
        expect({ pattern, line, hasAlways: required.always === undefined || line.includes(required.always) }).toEqual({
          pattern,
          line,
          hasAlways: true,
        });
      }
    }
    // The generator must really produce matching lines for patterns with literals.
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('literalFinder', () => {
  it.each([
    {
      name: 'leftmost start over all literals',
      input: { set: ['powershell.exe', 'cmd.exe'], isFolded: false, text: 'x cmd.exe powershell.exe', from: 0 },
      want: 2,
    },
    {
      name: 'from is honoured',
      input: { set: ['cmd.exe'], isFolded: false, text: 'cmd.exe cmd.exe', from: 1 },
      want: 8,
    },
    { name: 'case-sensitive', input: { set: ['cmd.exe'], isFolded: false, text: 'CMD.EXE', from: 0 }, want: -1 },
    { name: 'folded', input: { set: ['cmd.exe'], isFolded: true, text: 'C:\\CMD.EXE', from: 0 }, want: 3 },
    {
      name: 'folded k finds the Kelvin sign, as RE2 does',
      input: { set: ['kelvin'], isFolded: true, text: '1 \u212Aelvin', from: 0 },
      want: 2,
    },
    {
      name: 'folded s finds the long s, as RE2 does',
      input: { set: ['sbar'], isFolded: true, text: '\u017Fbar', from: 0 },
      want: 0,
    },
    {
      name: 'metacharacters are literal',
      input: { set: ['.*[x]'], isFolded: false, text: 'ab.*[x]', from: 0 },
      want: 2,
    },
    {
      name: 'astral characters',
      input: { set: ['\u{1F600}!'], isFolded: false, text: 'a\u{1F600}!', from: 0 },
      want: 1,
    },
    { name: 'absent', input: { set: ['abc', 'def'], isFolded: true, text: 'ab de cf', from: 0 }, want: -1 },
  ])('$name', ({ input, want }) => {
    expect(literalFinder(input.set, input.isFolded)(input.text, input.from)).toBe(want);
  });
});
