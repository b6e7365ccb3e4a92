import { describe, expect, it } from 'vitest';
import { ClassRunFilter, classRunFilter } from './class-run.js';
import { bytesToText } from './line-text.js';
import { compileLineRegex } from './regex.js';
import { xorshift32 as numbers } from '../../../test/helpers/xorshift.js';

function randomBytes(seed: number, length: number, alphabet: Buffer): Buffer {
  const next = numbers(seed);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = alphabet[(next.next().value as number) % alphabet.length] as number;
  return out;
}

/** The plain answer: `run` member bytes side by side somewhere. */
function hasRun(bytes: Buffer, isMember: Uint8Array, run: number): boolean {
  let seen = 0;
  for (const byte of bytes) if ((seen = isMember[byte] === 1 ? seen + 1 : 0) >= run) return true;
  return false;
}

const DIGITS = new Uint8Array(256).fill(1, 0x30, 0x3a);

describe('ClassRunFilter: k class bytes side by side, looking at every k-th byte', () => {
  it.each([
    { text: '', want: false },
    { text: '12345', want: false },
    { text: '123456', want: true },
    { text: 'x123456', want: true },
    { text: '12345 123456', want: true },
    { text: '12345x12345x1234567', want: true },
    { text: '1234512345'.replace('5', '.'), want: false },
  ])('"$text" holds 6 digits: $want', ({ text, want }) => {
    expect(new ClassRunFilter(DIGITS, 6).isIn(Buffer.from(text))).toBe(want);
  });

  // Alike on purpose (duplicates): a generated-case loop like the table test below, over other inputs and another oracle.
  it.each([1, 2, 3, 5, 8, 13])('random bytes, runs of %i: the plain answer', (run) => {
    const filter = new ClassRunFilter(DIGITS, run);
    for (let seed = 1; seed <= 300; seed++) {
      // Mostly digits for long runs, so both answers come up often.
      const hay = randomBytes(seed, seed % 97, Buffer.from(run > 4 ? '0123456789012345678x' : '01234x y.'));
      expect({ seed, got: filter.isIn(hay) }).toEqual({ seed, got: hasRun(hay, DIGITS, run) });
    }
  });

  it('refuses a wrong flag table or run, naming what it got', () => {
    expect(() => new ClassRunFilter(new Uint8Array(10), 3)).toThrow(/256 byte flags, got 10/);
    expect(() => new ClassRunFilter(DIGITS, 0)).toThrow(/at least 1 byte, got 0/);
  });
});

// Alike on purpose (duplicates): a case table in STYLE's {input, want} form; the shape is the form's, the cases are this filter's.
describe('classRunFilter: only for classes whose members are all ASCII', () => {
  it.each([
    { pattern: '[0-9]{6,}', run: 6 },
    { pattern: '\\d{8}', run: 8 },
    { pattern: 'id=[0-9a-f]{32}\\b', run: 32 },
    { pattern: '(?i)[0-9a-f]{16,}\\.dll', run: 16 },
    { pattern: '\\s{4}x', run: 4 },
    { pattern: '[0-9]{3}', run: undefined }, // too short to filter anything
    { pattern: '.{10}', run: undefined }, // any character
    { pattern: '[^a]{10}', run: undefined },
    { pattern: '\\D{10}', run: undefined },
    { pattern: '\\pL{10}', run: undefined },
    { pattern: '[é0-9]{10}', run: undefined },
    { pattern: '[\\x{e9}0-9]{10}', run: undefined },
    // Under (?i) RE2 folds k to the Kelvin sign and s to the long s: not ASCII.
    { pattern: '(?i)[a-z]{10}', run: undefined },
    { pattern: '(?i)[a-j]{10}', run: 10 },
    { pattern: '(a|b){10}', run: undefined }, // groups: no piece
  ])('$pattern → $run', ({ pattern, run }) => {
    expect(classRunFilter(pattern)?.run).toBe(run);
  });

  // The filter may only say "no" when no line can match: generated lines around a matching
  // sample (sometimes cut by a '\n', a '\r' or a binary byte), with multi-byte characters,
  // judged against matching each line alone.
  // Alike on purpose (duplicates): a case table in STYLE's {input, want} form; the shape is the form's, the cases are this filter's.
  it.each([
    { pattern: '[0-9]{6,}', sample: '1234567' },
    { pattern: '\\d{4}-\\d{2}', sample: '2026-12' },
    { pattern: '(?i)[0-9a-f]{8}x', sample: 'DEADbeefX' },
    { pattern: '\\w{5,}@', sample: 'a_B9z@' },
    { pattern: '[a-c\\-]{4}', sample: 'ab-c' },
  ])('$pattern: never says no where a line matches', ({ pattern, sample }) => {
    const re = compileLineRegex(pattern);
    const filter = re.bytesFilter;
    expect(filter).toBeDefined();
    const alphabet = Buffer.from('0123456789abcdefABCX-@x \r\n\u00ff\u0000', 'latin1');
    const breakers = Buffer.from('\n\r\u00ff\u0000x', 'latin1');
    const next = numbers(pattern.length);
    const pick = (n: number): number => (next.next().value as number) % n;
    let matches = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const near = Buffer.from(sample);
      if (pick(2) === 0) near[pick(near.length)] = breakers[pick(breakers.length)] as number;
      const hay = Buffer.concat([
        randomBytes(seed, pick(40), alphabet),
        pick(3) === 0 ? Buffer.from('é', 'utf8') : Buffer.alloc(0),
        near,
        randomBytes(seed + 1000, pick(40), alphabet),
      ]);
      const isMatch = bytesToText(hay)
        .split('\n')
        .some((line) => re.test(line));
      if (!isMatch) continue;
      matches++;
      expect({ seed, hay: hay.toString('latin1'), says: filter?.isIn(hay) }).toMatchObject({ says: true });
    }
    expect(matches).toBeGreaterThan(100); // the cases did test lines that match
  });

  it('a compiled regex prefers its literal, and has a filter for the no-literal class', () => {
    expect(compileLineRegex('legend\\.rocks').bytesFilter?.isIn(Buffer.from('a legend.rocks b'))).toBe(true);
    expect(compileLineRegex('[0-9]{6,}').bytesFilter?.isIn(Buffer.from('item 12345\nitem 6789\n'))).toBe(false);
    expect(compileLineRegex('[0-9]{6,}').bytesFilter?.isIn(Buffer.from('item 12345\nitem 678901\n'))).toBe(true);
    expect(compileLineRegex('.{10}').bytesFilter).toBeUndefined();
  });
});
