import { describe, expect, it } from 'vitest';
import { ContentScanner, LineFramer, MAX_LINE_BYTES } from './content.js';
import { splitNegation } from './param-values.js';
import type { RegexCheck } from './plan.js';
import { compileLineRegex } from './regex.js';

function checks(values: readonly string[]): RegexCheck[] {
  return values.map((value) => {
    const { pattern, isNegated } = splitNegation(value);
    return { re: compileLineRegex(pattern), isNegated, label: `content:${value}` };
  });
}

/** Feeds `text` in pieces of `size` bytes (the last piece shorter) and returns the raw results. */
function scan(values: readonly string[], text: string | Buffer, size: number, isMacroal = false): boolean[] {
  const scanner = new ContentScanner(checks(values), isMacroal, false);
  const framer = new LineFramer([scanner]);
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) framer.push(bytes.subarray(i, i + size));
  framer.end();
  return scanner.results();
}

const TEXT = '# allowed keys\r\nssh-ed25519 AAAAgood bob\r\n\r\nssh-rsa AAAAevil eve\r\nlast line, no newline';
const SIZES = [1, 2, 3, 7, 64, 1 << 20];

describe('ContentScanner over LineFramer: the same answer however the bytes arrive', () => {
  it.each([
    { name: 'a line anywhere', input: ['^ssh-rsa '], want: [true] },
    { name: 'CRLF line end anchor', input: ['eve$'], want: [true] },
    { name: 'empty line', input: ['^$'], want: [true] },
    { name: 'last line without newline', input: ['^last line, no newline$'], want: [true] },
    { name: 'no such line', input: ['^root:'], want: [false] },
    { name: 'negated: no such line', input: ['!^root:'], want: [true] },
    { name: 'negated: there is such a line', input: ['!evil'], want: [false] },
    { name: 'several regexes, each judged alone', input: ['good', 'missing', '!absent'], want: [true, false, true] },
    { name: 'a match spanning two lines is no match', input: ['bob\\s+ssh'], want: [false] },
  ])('$name', ({ input, want }) => {
    for (const size of SIZES) expect({ size, got: scan(input, TEXT, size) }).toEqual({ size, got: want });
  });

  it.each([
    { name: 'every line allowed', input: '# c\nkey one\n\nkey two\n', want: true },
    { name: 'one line not allowed', input: '# c\nkey one\nrogue\n', want: false },
    { name: 'CRLF lines', input: '# c\r\nkey one\r\n', want: true },
    { name: 'no lines at all', input: '', want: false },
  ])('macroal: $name', ({ input, want }) => {
    for (const size of SIZES) expect({ size, got: scan(['^(#.*|key \\w+|)$'], input, size, true) }).toEqual({ size, got: [want] });
  });

  it('macroal with a negated regex: no line may match it', () => {
    expect(scan(['^\\w', '!rogue'], 'key one\nkey two\n', 3, true)).toEqual([true, true]);
    expect(scan(['^\\w', '!rogue'], 'key one\nrogue two\n', 3, true)).toEqual([false, false]);
  });

  it('a line longer than the longest line kept is searched in pieces, and the next line still found', () => {
    const text = Buffer.concat([Buffer.alloc(MAX_LINE_BYTES * 2 + 100, 'a'), Buffer.from('\nafter\n')]);
    expect(scan(['^after$', 'aaaa', '^a+$'], text, 64 * 1024)).toEqual([true, true, true]);
  });

  it('invalid UTF-8 is read as U+FFFD, as Go did', () => {
    const text = Buffer.from([0x61, 0xff, 0x62, 0x0a]);
    expect(scan(['^a.b$', 'a\\x{fffd}b'], text, 1)).toEqual([true, true]);
  });

  it('stops needing bytes once every regex has matched', () => {
    const scanner = new ContentScanner(checks(['one', 'two']), false, false);
    const framer = new LineFramer([scanner]);
    framer.push(Buffer.from('one\n'));
    expect(framer.isSettled).toBe(false);
    framer.push(Buffer.from('two\n'));
    expect(framer.isSettled).toBe(true);
  });

  it('with matchall, a negated regex that matches settles the file at once', () => {
    const scanner = new ContentScanner(checks(['!evil', 'never']), false, true);
    new LineFramer([scanner]).push(Buffer.from('evil\n'));
    expect(scanner.isSettled).toBe(true);
  });
});
