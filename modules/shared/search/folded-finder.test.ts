import { describe, expect, it } from 'vitest';
import { FoldedFinder, foldedFilter } from './folded-finder.js';
import { bytesToText } from './line-text.js';
import { compileLineRegex } from './regex.js';
import { xorshift32 as numbers } from '../../../test/helpers/xorshift.js';

function randomBytes(next: Generator<number>, length: number, alphabet: Buffer): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = alphabet[(next.next().value as number) % alphabet.length] as number;
  return out;
}

/** The plain answer: the piece somewhere, ASCII letters in either case. */
function holds(hay: Buffer, piece: string): boolean {
  return hay.toString('latin1').toLowerCase().includes(piece.toLowerCase());
}

describe('FoldedFinder: a case-insensitive ASCII literal in bytes', () => {
  // Alike on purpose (duplicates): a case table in STYLE's {input, want} form; the shape is the form's, the cases are this filter's.
  it.each([
    { hay: 'GET /Legend.Rocks HTTP', piece: 'legend.roc', want: true },
    { hay: 'LEGEND.ROC', piece: 'legend.roc', want: true },
    { hay: 'legend-roc', piece: 'legend.roc', want: false },
    { hay: 'legend.ro', piece: 'legend.roc', want: false },
    // '@' | 0x20 is '`': only letters are compared case-blind.
    { hay: 'a`b', piece: 'a@b', want: false },
    { hay: 'A@B', piece: 'a@b', want: true },
    { hay: '\u00ff-ENC\u0000', piece: '-enc', want: true },
  ])('"$piece" in "$hay": $want', ({ hay, piece, want }) => {
    expect(new FoldedFinder(piece).isIn(Buffer.from(hay, 'latin1'))).toBe(want);
  });

  // A "no" must always be right; a "maybe" (true) is allowed when the data makes the search not
  // worth it. Pieces in random case and near misses are dropped into filler where the piece's
  // rarest byte is rare (the memchr path) or not (the "maybe" path).
  it.each([
    { filler: 'abcdefgh .-\n', piece: 'h.iz', isRare: true },
    { filler: 'abcdefghij .-\n\u00ff', piece: 'ef-g', isRare: false },
    { filler: 'aAbB', piece: 'abba', isRare: false },
  ])('random haystacks of "$filler" with "$piece" dropped in: never a wrong no', ({ filler, piece, isRare }) => {
    const finder = new FoldedFinder(piece);
    const next = numbers(piece.length);
    const pick = (n: number): number => (next.next().value as number) % n;
    let found = 0;
    let noes = 0;
    for (let round = 1; round <= 300; round++) {
      const dropped = Buffer.from(piece, 'latin1');
      for (let i = 0; i < dropped.length; i++) if (pick(2) === 0) dropped[i] = (dropped[i] as number) ^ 0x20;
      if (pick(3) === 0) dropped[pick(dropped.length)] = 0x2f; // a near miss, mostly
      const fill = (): Buffer => randomBytes(next, pick(3000), Buffer.from(filler, 'latin1'));
      const hay = pick(2) === 0 ? Buffer.concat([fill(), dropped, fill()]) : fill();
      const want = holds(hay, piece);
      if (want) found++;
      if (finder.isIn(hay)) continue;
      noes++;
      expect({ round, want }).toEqual({ round, want: false });
    }
    expect(found).toBeGreaterThan(30); // the cases did hold the piece
    if (isRare) expect(noes).toBeGreaterThan(30); // the memchr path did say no
  });

  it('where one byte is rare, its answers are exact', () => {
    const finder = new FoldedFinder('zoo.xy');
    const filler = Buffer.alloc(50_000, 'a');
    expect(finder.isIn(Buffer.concat([filler, Buffer.from('ZoO.Xy'), filler]))).toBe(true);
    expect(finder.isIn(Buffer.concat([filler, Buffer.from('zoo.x'), filler]))).toBe(false);
    expect(finder.isIn(Buffer.concat([filler, Buffer.from('zoo.xY')]))).toBe(true);
  });

  it('refuses a piece it cannot fold byte for byte, naming it', () => {
    expect(() => new FoldedFinder('desk')).toThrow(/without k or s, got "desk"/);
    expect(() => new FoldedFinder('café')).toThrow(/printable ASCII/);
  });
});

describe('foldedFilter: the piece of a case-insensitive literal', () => {
  it.each([
    { pattern: '(?i)legend\\.rocks', piece: 'legend.roc' },
    { pattern: '(?i)(cmd|powershell)\\.exe.*-enc', piece: '-enc' },
    { pattern: '(?i)evil\\.com', piece: 'evil.com' },
    // k and s fold to multi-byte characters (the Kelvin sign, the long s): they cut the piece.
    { pattern: '(?i)desktop\\.ini', piece: 'top.ini' },
    { pattern: '(?i)sks', piece: undefined },
    { pattern: 'legend\\.rocks', piece: undefined }, // case-sensitive: byte-finder.ts
    { pattern: '(?i)evil\\.com|bad\\.net', piece: undefined }, // two members: no one literal
  ])('$pattern → $piece', ({ pattern, piece }) => {
    expect(foldedFilter(pattern)?.piece).toBe(piece);
  });

  it.each([
    { pattern: '(?i)legend\\.rocks', sample: 'LeGend.RoCKs' },
    { pattern: '(?i)desktop\\.ini', sample: 'DES\u212aTOP.INI' }, // the Kelvin sign: K
    { pattern: '(?i)(cmd|powershell)\\.exe.*-enc', sample: 'CMD.EXE /c -EnC' },
  ])('$pattern: never says no where a line matches', ({ pattern, sample }) => {
    // Alike on purpose (duplicates): the generated-lines check class-run.test.ts runs too, for this filter's pieces.
    const re = compileLineRegex(pattern);
    expect(re.bytesFilter).toBeInstanceOf(FoldedFinder);
    const alphabet = Buffer.from('abcdeLGNDRO.-x \r\n\u00ff', 'latin1');
    const breakers = Buffer.from('\n\r\u00ffx', 'latin1');
    const next = numbers(sample.length);
    const pick = (n: number): number => (next.next().value as number) % n;
    let matches = 0;
    for (let round = 1; round <= 300; round++) {
      const near = Buffer.from(sample, 'utf8');
      if (pick(2) === 0) near[pick(near.length)] = breakers[pick(breakers.length)] as number;
      const hay = Buffer.concat([randomBytes(next, pick(50), alphabet), near, randomBytes(next, pick(50), alphabet)]);
      const isMatch = bytesToText(hay)
        .split('\n')
        .some((line) => re.test(line));
      if (!isMatch) continue;
      matches++;
      expect({ round, hay: hay.toString('latin1'), says: re.bytesFilter?.isIn(hay) }).toMatchObject({ says: true });
    }
    expect(matches).toBeGreaterThan(50);
  });
});
