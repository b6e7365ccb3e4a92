import { describe, expect, it } from 'vitest';
import { bytesToText } from './line-text.js';

/** Back to bytes: escaped units (lone U+DC80-U+DCFF) are the bytes they stand for, the rest is UTF-8. */
function toBytes(text: string): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const isLow = unit >= 0xdc00 && unit <= 0xdfff;
    const previous = i > 0 ? text.charCodeAt(i - 1) : 0;
    if (isLow && !(previous >= 0xd800 && previous <= 0xdbff)) out.push(Buffer.from([unit - 0xdc00]));
    else if (unit >= 0xd800 && unit <= 0xdbff) out.push(Buffer.from(text.slice(i, i + 2)));
    else if (!isLow) out.push(Buffer.from(text[i] ?? ''));
    if (unit >= 0xd800 && unit <= 0xdbff) i++;
  }
  return Buffer.concat(out);
}

describe('bytesToText: every byte kept, nothing becomes U+FFFD', () => {
  it.each([
    { name: 'valid UTF-8 decodes as usual', input: Buffer.from('héllo wörld 𝄞 \ufffd'), want: 'héllo wörld 𝄞 \ufffd' },
    { name: 'a lone invalid byte', input: Buffer.from([0x61, 0xff, 0x62]), want: 'a\udcffb' },
    { name: 'a truncated sequence: one unit per byte', input: Buffer.from([0xe2, 0x82, 0x41]), want: '\udce2\udc82A' },
    { name: 'an overlong encoding', input: Buffer.from([0xc0, 0xaf]), want: '\udcc0\udcaf' },
    { name: 'an encoded surrogate', input: Buffer.from([0xed, 0xa0, 0x80]), want: '\udced\udca0\udc80' },
    { name: 'past U+10FFFF', input: Buffer.from([0xf4, 0x90, 0x80, 0x80]), want: '\udcf4\udc90\udc80\udc80' },
    { name: 'valid text after junk', input: Buffer.from([0xff, 0xc3, 0xa9, 0xf0, 0x9d, 0x84, 0x9e]), want: '\udcffé𝄞' },
  ])('$name', ({ input, want }) => {
    expect(bytesToText(input)).toBe(want);
    expect(toBytes(bytesToText(input))).toEqual(input);
  });

  it('pure ASCII (the fast path), every byte 0-127 and CRLF, decodes as UTF-8 does', () => {
    const bytes = Buffer.from([...Array.from({ length: 128 }, (_, i) => i), 13, 10, 0x61]);
    expect(bytesToText(bytes)).toBe(bytes.toString('utf8'));
    expect(bytesToText(Buffer.from('plain line\r\n'))).toBe('plain line\r\n');
  });

  it('random bytes survive the round trip', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let n = 0; n < 200; n++) {
      const bytes = Buffer.from(Array.from({ length: 64 }, next));
      const text = bytesToText(bytes);
      expect(text.includes('\ufffd')).toBe(false);
      expect(toBytes(text)).toEqual(bytes);
    }
  });
});
