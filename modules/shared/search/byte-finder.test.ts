import { describe, expect, it } from 'vitest';
import { ByteFinder, byteFinder } from './byte-finder.js';

/** A small deterministic generator: the same cases on every run. */
function randomBytes(seed: number, length: number, alphabet: Buffer): Buffer {
  let state = seed >>> 0 || 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = alphabet[(state >>> 0) % alphabet.length] as number;
  }
  return out;
}

/** Every occurrence in order, as Buffer.indexOf walks them, and the finder's walk beside it. */
function walks(finder: ByteFinder, hay: Buffer): { native: number[]; finder: number[] } {
  const native: number[] = [];
  const found: number[] = [];
  for (let at = hay.indexOf(finder.needle); at >= 0; at = hay.indexOf(finder.needle, at + 1)) native.push(at);
  for (let at = finder.indexIn(hay, 0); at >= 0; at = finder.indexIn(hay, at + 1)) found.push(at);
  return { native, finder: found };
}

describe('ByteFinder: always Buffer.indexOf’s answer', () => {
  it.each([
    { name: 'absent', hay: 'GET /index.html HTTP/1.1\n', needle: 'legend.rocks', want: -1 },
    { name: 'at the start', hay: 'legend.rocks and more', needle: 'legend.rocks', want: 0 },
    { name: 'at the very end', hay: 'xx\nlegend.rocks', needle: 'legend.rocks', want: 3 },
    { name: 'cut short at the end', hay: 'xx legend.rock', needle: 'legend.rocks', want: -1 },
    { name: 'rare byte present, needle not', hay: 'kkkk rocks legend.rock s', needle: 'legend.rocks', want: -1 },
    { name: 'one byte', hay: 'abc', needle: 'c', want: 2 },
    { name: 'haystack shorter than needle', hay: 'leg', needle: 'legend', want: -1 },
    { name: 'binary bytes and NUL', hay: '\u0000\u00ff\u0000k\u0000\n', needle: '\u0000k\u0000', want: 2 },
  ])('$name', ({ hay, needle, want }) => {
    const bytes = Buffer.from(hay, 'latin1');
    expect(new ByteFinder(Buffer.from(needle, 'latin1')).indexIn(bytes, 0)).toBe(want);
    expect(bytes.indexOf(Buffer.from(needle, 'latin1'))).toBe(want);
  });

  it('respects `from`: no occurrence before it, the first one at or after it', () => {
    const hay = Buffer.from('ab.rocks ab.rocks ab.rocks');
    const finder = new ByteFinder(Buffer.from('ab.rocks'));
    for (let from = 0; from <= hay.length; from++)
      expect({ from, at: finder.indexIn(hay, from) }).toEqual({ from, at: hay.indexOf('ab.rocks', from) });
  });

  // Small alphabets make every byte frequent (the finder gives up on memchr mid-search), large
  // ones make some rare: both paths, and the switch between them, on thousands of positions.
  // Alike on purpose (duplicates): a case table in STYLE's {input, want} form; the shape is the form's, the cases are this filter's.
  it.each([
    { alphabet: 'ab', needle: 'abba' },
    { alphabet: 'abcdefgh', needle: 'hgfa' },
    { alphabet: 'abcdefghijklmnopqrstuvwxyz .\n', needle: 'ok z' },
    { alphabet: 'abcdefghijklmnopqrstuvwxyz .\n', needle: 'e e' },
    { alphabet: '\u0000\u0001\u00ff\n', needle: '\u0000\u00ff\u0000' },
  ])('random haystacks over "$alphabet", needle "$needle": every occurrence, in order', ({ alphabet, needle }) => {
    const finder = new ByteFinder(Buffer.from(needle, 'latin1'));
    for (let seed = 1; seed <= 40; seed++) {
      const hay = randomBytes(seed, 1 + seed * 997, Buffer.from(alphabet, 'latin1'));
      const { native, finder: found } = walks(finder, hay);
      expect({ seed, found }).toEqual({ seed, found: native });
      expect(finder.isIn(hay)).toBe(native.length > 0);
    }
  });

  it('a byte rare in one haystack and frequent in the next: still every answer', () => {
    const finder = new ByteFinder(Buffer.from('zebra'));
    const sparse = Buffer.concat([Buffer.alloc(100_000, 'a'), Buffer.from('zebra')]);
    const dense = Buffer.concat([Buffer.alloc(100_000, 'z'), Buffer.from('zebr zebra')]);
    for (let round = 0; round < 100; round++) {
      expect(finder.indexIn(sparse, 0)).toBe(100_000);
      expect(finder.indexIn(dense, 0)).toBe(100_005);
      expect(finder.isIn(dense.subarray(0, 100_009))).toBe(false);
    }
  });

  it('refuses an empty needle, naming what it got', () => {
    expect(() => new ByteFinder(Buffer.alloc(0))).toThrow(/non-empty needle, got 0 bytes/);
  });

  it('byteFinder keeps one finder per needle object', () => {
    const needle = Buffer.from('legend.rocks');
    expect(byteFinder(needle)).toBe(byteFinder(needle));
    expect(byteFinder(Buffer.from('legend.rocks'))).not.toBe(byteFinder(needle));
  });
});
