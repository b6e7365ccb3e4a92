import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { escapeNonAscii } from './ascii-escape.mjs';

const ASCII = /^\p{ASCII}*$/u;

/** What `source` (a script whose last expression is the answer) evaluates to, as JSON. */
function evaluate(source: string): string {
  return JSON.stringify(runInNewContext(source));
}

describe('escapeNonAscii', () => {
  it('escapes comments, strings, identifiers and plain templates into ASCII that means the same', () => {
    const source = [
      '/** time − skew, µs → ms */',
      "const µ = 'µs−ms 😀'; // µ is U+00B5",
      'const o = { /** − */ k: "→" };',
      '[µ, o.k, `plain ${µ} −`, µ.length]',
    ].join('\n');
    const { text, kept } = escapeNonAscii(source);
    expect(kept).toBe(0);
    expect(text).toMatch(ASCII);
    expect(evaluate(text)).toBe(evaluate(source));
    expect(evaluate(text)).toBe(JSON.stringify(['µs−ms 😀', '→', 'plain µs−ms 😀 −', 8]));
  });

  it('leaves regular expressions and the raw text of tagged templates as written, and counts what it kept', () => {
    const source = [
      '/* − */ const tag = (s) => s.raw[0];',
      'const duration = /(µs|μs)/y;',
      '[tag`µ−`, String.raw`a→b`, duration.source, /[😀-😂]/u.test("😁")]',
    ].join('\n');
    const { text, kept } = escapeNonAscii(source);
    expect(kept).toBe(3 + 2 + 4);
    expect(text.startsWith('/* \\u2212 */')).toBe(true);
    expect(evaluate(text)).toBe(JSON.stringify(['µ−', 'a→b', '(µs|μs)', true]));
  });

  it('returns an ASCII source as it is', () => {
    const source = 'const a = "\\u00b5"; a';
    expect(escapeNonAscii(source)).toEqual({ text: source, kept: 0 });
  });
});
