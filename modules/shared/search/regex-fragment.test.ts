import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { compileLineRegex } from './regex.js';
import { fragmentFinder, requiredFragment } from './regex-fragment.js';
import { seededInts } from '../../../test/helpers/seeded-ints.js';

// Alike on purpose (duplicates): {name, input, want} rows in STYLE's table form, one pattern and the piece every
// match contains per row; regex.test.ts, run-filters.test.ts and the target evaluator's tests share only that form.
describe('requiredFragment: a contiguous piece every match contains, for V8 to look for', () => {
  it.each([
    { name: 'a variable repeat gives its minimum', input: '[0-9]{6,}', want: '[0-9]{6}' },
    { name: 'a repeat touches the run after it', input: 'x*yz{2}w', want: 'yz{2}w' },
    { name: 'lazy is the same strings', input: 'a{2,5}?bcd', want: 'a{2}bcd' },
    { name: 'cut to the V8 step budget', input: '[0-9a-f]{64}', want: '[0-9a-f]{32}' },
    { name: 'cut from the left, keeping the rest', input: 'a{40}b+', want: 'a{31}b' },
    { name: 'assertions end a piece', input: '\\bfoo[0-9]{3}\\b', want: 'foo[0-9]{3}' },
    { name: 'a leading (?i) folds the piece', input: '(?i)[a-f]{4}x+', want: '(?i)[a-f]{4}x' },
    { name: 'a variable repeat never inside a piece: the longer side', input: '[a-z]{3}b+[0-9]{2}', want: '[a-z]{3}b' },
    { name: 'too short to filter anything', input: '\\d+-\\d+', want: undefined },
    { name: 'groups are left to re2js', input: '(a|b)cdef[0-9]+', want: undefined },
    { name: 'a repeated assertion is left to re2js', input: '^*abcd', want: undefined },
    { name: 'Unicode classes are left to re2js', input: '\\pL{5,}', want: undefined },
    { name: 'a count re2js reads as text is not guessed at', input: 'abcd{,3}', want: undefined },
  ])('$name: $input', ({ input, want }) => {
    expect(requiredFragment(input)?.source).toBe(want);
  });

  it('gives re2js patterns without a literal a prefilter, and leaves V8 and literal patterns alone', () => {
    expect(fragmentFinder('[0-9]{6,}')?.('item 123456x', 0)).toBe(5);
    expect(fragmentFinder('[0-9]{6,}')?.('item 12345 6789', 0)).toBe(-1);
    expect(compileLineRegex('[0-9]{6,}').firstMatchingLine('a 12345\nb 123456\n')).toBe(8);
    expect(compileLineRegex('[0-9]{6,}').firstMatchingLine('a 12345\nb 12345\n')).toBe(-1);
  });
});

describe('the piece is sound: every line re2js matches holds it', () => {
  const pieces = [
    'a',
    'b',
    'c',
    '.',
    '[ab]',
    '[^c]',
    '\\d',
    'x',
    'a+',
    'b*',
    'c?',
    '[0-9]{2,}',
    'a{2}',
    'b{1,3}',
    '\\s',
    '^',
    '$',
    '\\b',
    '[a-c]+?',
    'x{0}',
  ];
  const alphabet = ['a', 'b', 'c', 'x', '0', '1', 'A', 'B', ' ', '\r', '\t'];

  it('on generated patterns and lines', () => {
    const rand = seededInts(5);
    let checked = 0;
    for (let round = 0; round < 3000; round++) {
      const body = Array.from({ length: 2 + rand(6) }, () => pieces[rand(pieces.length)]).join('');
      const pattern = rand(4) === 0 ? `(?i)${body}` : body;
      const find = fragmentFinder(pattern);
      if (find === undefined) continue;
      const re = RE2JS.compile(pattern);
      for (let n = 0; n < 200; n++) {
        const line = Array.from({ length: rand(14) }, () => alphabet[rand(alphabet.length)]).join('');
        if (!re.test(line)) continue;
        checked++;
        expect({ pattern, line, isFound: find(line, 0) >= 0 }).toEqual({ pattern, line, isFound: true });
      }
    }
    // The generator must really produce matching lines for patterns with a piece.
    expect(checked).toBeGreaterThan(500);
  });
});
