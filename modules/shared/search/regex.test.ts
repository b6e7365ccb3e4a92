import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { compileLineRegex, regexProblem, type RegexEngine } from './regex.js';
import { MAX_V8_STEPS, toJsForm } from './regex-js.js';
import { seededInts } from '../../../test/helpers/seeded-ints.js';

/** The reference: MIG's semantics, literally: split on '\n', drop one '\r', test each line with RE2. */
function reference(pattern: string, text: string): number {
  const re = RE2JS.compile(pattern);
  let start = 0;
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text === '' ? [] : text.split('\n');
  for (const line of lines) {
    if (re.test(line.endsWith('\r') ? line.slice(0, -1) : line)) return start;
    start += line.length + 1;
  }
  return -1;
}

const ENGINES: readonly ('auto' | RegexEngine)[] = ['auto', 're2js'];
const TEXT =
  'hello world\r\nroot:x:0:0:root:/root:/bin/bash\n\ngpgcheck=1\r\nfoo bar baz\nA\tB\nCafé ☕ naïve\nſbar \u212Aelvin\nC:\\PowerShell.EXE -nop -Enc AAA\r\nlast line';
/** Past a few KiB, re2js searches whole runs of lines and bisects (short texts go line by line). */
const FILLER = '~~~~~~~~~~~~\r\n'.repeat(1000);
const TEXTS = [
  { name: 'short', text: TEXT },
  { name: 'long', text: FILLER + TEXT },
];

// Alike on purpose (duplicates): {name, input, want} rows in STYLE's table form, one pattern and the engine it gets
// per row; run-filters.test.ts's hash table shares only that form.
describe('compileLineRegex picks V8 only for patterns proven linear', () => {
  it.each([
    { name: 'literal', input: 'legend\\.rocks', want: 'v8' },
    { name: 'anchored literal', input: '^gpgcheck=1$', want: 'v8' },
    { name: 'case-folded literal', input: '(?i)mozilla', want: 'v8' },
    { name: 'top-level alternation of IOCs', input: 'evil\\.com|bad\\.net|10\\.0\\.0\\.1', want: 'v8' },
    { name: 'classes and exact repeats', input: '[0-9a-f]{32}', want: 'v8' },
    { name: 'perl classes and escapes', input: '\\d\\w\\s\\x41\\x{263a}\\t', want: 'v8' },
    { name: 'star', input: 'a*b', want: 're2js' },
    { name: 'plus', input: '.+\\.repo', want: 're2js' },
    { name: 'optional', input: 'colou?r', want: 're2js' },
    { name: 'range repeat', input: 'a{2,5}', want: 're2js' },
    { name: 'group', input: '(ab)', want: 're2js' },
    { name: 'nested quantifier', input: '(a+)+$', want: 're2js' },
    { name: 'flag group mid-pattern', input: 'a(?i)b', want: 're2js' },
    { name: 'unicode class', input: '\\pL', want: 're2js' },
    { name: 'posix class', input: '[[:alpha:]]', want: 're2js' },
    { name: 'quoted text', input: '\\Q.*\\E', want: 're2js' },
    { name: 'octal escape', input: '\\101', want: 're2js' },
    { name: 'a count with a leading zero (literal text in RE2)', input: 'a{01}', want: 're2js' },
    { name: 'folded word boundary', input: '(?i)\\bfoo', want: 're2js' },
    { name: 'exact repeats within the step cap', input: '[0-9a-f]{16}-[0-9a-f]{8}', want: 'v8' },
    { name: 'one repeat past the step cap', input: 'a{1000}b', want: 're2js' },
    { name: 'repeats that add up past the cap', input: '.{20}x.{20}y', want: 're2js' },
    { name: 'alternatives that add up past the cap', input: 'a{10}b|a{10}c|a{10}d', want: 're2js' },
    { name: 'folded repeat past the cap', input: '(?i)A{100}b', want: 're2js' },
    { name: 'a long literal: one step per character', input: 'x'.repeat(33), want: 're2js' },
  ])('$name: $input → $want', ({ input, want }) => {
    expect(compileLineRegex(input).engine).toBe(want);
  });
});

// Alike on purpose (duplicates): {name, input, want} rows in STYLE's table form, one pattern and its required literal
// per row; the target evaluator's table shares only that form.
describe('literal: bytes every match contains, to skip runs of lines without them', () => {
  it.each([
    { name: 'escaped dot joins the run', input: 'legend\\.rocks', want: 'legend.rocks' },
    { name: 'anchors end a run', input: '^root:', want: 'root:' },
    { name: 'longest run wins', input: 'a.bcd', want: 'bcd' },
    { name: 'a repeated character leaves the run', input: 'xab{0}cd', want: 'xa' },
    { name: 'hex escapes are characters', input: 'caf\\x{e9}\\x21', want: 'café!' },
    { name: 'case folding: no byte literal', input: '(?i)legend', want: undefined },
    { name: 'alternation: no single literal', input: 'evil\\.com|bad\\.net', want: undefined },
    { name: 'U+FFFD may stand for any invalid byte', input: '\\x{fffd}', want: undefined },
    { name: 're2js patterns: their required literal', input: 'a+legend[0-9]', want: 'legend' },
    { name: 're2js patterns: none when folded', input: '(?i)a+legend', want: undefined },
    {
      name: 're2js patterns: the common suffix of an alternation',
      input: '(cmd|powershell)\\.exe.*-enc',
      want: '.exe',
    },
    { name: 're2js patterns: none from an alternation without one', input: '(cmd|ps)[0-9]+', want: undefined },
  ])('$name: $input', ({ input, want }) => {
    expect(compileLineRegex(input).literal?.toString('utf8')).toBe(want);
  });
});

describe('isDecidedByBytes: finding the literal in the bytes is the whole match', () => {
  // Alike on purpose (duplicates): one row a case, the table's shape is shared.
  it.each([
    { name: 'a plain word', input: 'Googlebot', want: true },
    { name: 'escaped punctuation is literal text', input: 'legend\\.rocks', want: true },
    { name: 'a tab escape is one ASCII byte', input: 'a\\tb', want: true },
    { name: 'a newline can never be inside a line', input: 'a\\nb', want: false },
    { name: 'non-ASCII text: bytes may decode otherwise next to invalid ones', input: 'caf\\x{e9}', want: false },
    { name: 'an anchor', input: '^root:', want: false },
    { name: 'a dot', input: 'a.bcd', want: false },
    { name: 'a class', input: '[a]bc', want: false },
    { name: 'a repeat', input: 'ab{2}', want: false },
    { name: 'a word boundary', input: '\\broot', want: false },
    { name: 'an alternation', input: 'evil|bad', want: false },
    { name: 'case folding', input: '(?i)legend', want: false },
    { name: 'a pattern re2js runs', input: 'a+legend', want: false },
  ])('$name: $input → $want', ({ input, want }) => {
    expect(compileLineRegex(input).isDecidedByBytes).toBe(want);
  });

  it('is never claimed by re2js, even for a literal', () => {
    expect(compileLineRegex('Googlebot', 're2js').isDecidedByBytes).toBe(false);
  });
});

describe('firstMatchingLine has MIG line semantics on every engine', () => {
  // Alike on purpose (duplicates): one pattern per line-semantics case; bench/file-content.ts's pattern classes share
  // only the {name, pattern} form.
  const cases = [
    { name: 'line start anchor', input: '^root:' },
    { name: 'line end anchor before \\r\\n', input: 'gpgcheck=1$' },
    { name: 'whole-line anchors', input: '^foo bar baz$' },
    { name: 'empty line', input: '^$' },
    { name: 'end of first line (CRLF)', input: 'world$' },
    { name: '\\A and \\z are line bounds', input: '\\Aroot.*bash\\z' },
    { name: 'case folding', input: '(?i)FOO BAR' },
    { name: 'class must not cross lines', input: 'world[^x]+root' },
    { name: '\\s must not cross lines', input: 'baz\\sA' },
    { name: 'dot does not match \\r at line end', input: '1.$' },
    { name: 'tab via \\s', input: 'A\\sB' },
    { name: 'non-ASCII literal', input: 'Café ☕' },
    { name: 'dot matches one code point', input: 'Caf. . na.ve' },
    { name: 'last line without newline', input: '^last line$' },
    { name: 'word boundary', input: '\\bbar\\b' },
    { name: 'folded word boundary next to ſ (RE2: not a word character)', input: '(?i)\\bbar kelvin' },
    { name: 'folding k matches the Kelvin sign, as in RE2', input: '(?i)^ſbar kelvin$' },
    { name: 'alternation', input: 'nothere|^A' },
    { name: 'no match', input: 'legend\\.rocks' },
    { name: 'quantified group', input: '(o+\\s)+w' },
    { name: 'quoted metacharacters', input: '\\Q:/root:\\E' },
    { name: 'unicode class', input: '\\p{Greek}|ï' },
    { name: 'empty pattern matches the first line', input: 'x*' },
    { name: 'a count with a leading zero is literal text', input: '\\d{01}' },
    { name: 'prefilter: folded alternation times a literal', input: '(?i)(cmd|powershell)\\.exe.*-enc' },
    { name: 'prefilter: the literal is there, the line does not match', input: '(?i)(cmd|powershell)\\.exe.*-encx' },
    { name: 'prefilter: the Kelvin sign under folding', input: '(?i)bar +kelvin' },
    { name: 'prefilter: anchored literal at the end of a CRLF line', input: 'Enc A+$' },
    { name: 'prefilter: optional part', input: 'roo?t:x+:' },
  ];
  for (const engine of ENGINES) {
    for (const { name, text } of TEXTS) {
      it.each(cases)(`${engine}, ${name} text: $name ($input)`, ({ input }) => {
        expect(compileLineRegex(input, engine).firstMatchingLine(text)).toBe(reference(input, text));
      });
    }
  }

  it.each([
    { name: 'an empty CRLF line', input: '\\A$^' },
    { name: 'a word boundary after the end anchor', input: '.\\z\\b' },
    { name: 'a line start after the end anchor, in a branch', input: '$^|\\z[[:alpha:]]' },
  ])('re2js over many CRLF lines: $name ($input)', ({ input }) => {
    const text = `${FILLER}x\r\n\r\n~`;
    const want = FILLER.length + (input.startsWith('.') ? 0 : 3);
    expect(reference(input, text)).toBe(want);
    expect(compileLineRegex(input, 're2js').firstMatchingLine(text)).toBe(want);
  });

  it.each(ENGINES)('%s: a text of no lines has no match, even for an empty pattern', (engine) => {
    expect(compileLineRegex('^$', engine).firstMatchingLine('')).toBe(-1);
  });

  it.each(ENGINES)('%s: no phantom empty line after the final newline', (engine) => {
    expect(compileLineRegex('^$', engine).firstMatchingLine('a\nb\n')).toBe(-1);
  });

  it.each(ENGINES)('%s: finds a hit deep in a large run of lines', (engine) => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} some filler text`);
    lines[43_210] = 'line 43210 Has The Needle';
    const text = `${lines.join('\n')}\n`;
    const re = compileLineRegex('(?i)has the needle$', engine);
    expect(re.firstMatchingLine(text)).toBe(text.indexOf('line 43210 '));
  });

  it('agrees with the reference on generated patterns and texts', () => {
    const rand = seededInts(7);
    const atoms = ['a', 'b', '.', '[ab]', '[^a]', '\\s', '\\d', '^', '$', '\\b', 'a{2}', '|', '\\x61', '[a-c]'];
    const quantified = ['a*', 'b+', '(ab)?', '[^b]*'];
    for (let round = 0; round < 400; round++) {
      const parts = Array.from({ length: 1 + rand(5) }, () =>
        rand(5) === 0 ? quantified[rand(quantified.length)] : atoms[rand(atoms.length)],
      );
      const pattern = parts.join('');
      if (regexProblem(pattern) !== undefined) continue;
      const text =
        Array.from({ length: 1 + rand(6) }, () =>
          Array.from({ length: rand(6) }, () => 'ab1 \r'[rand(5)]).join(''),
        ).join('\n') + (rand(2) === 0 ? '\n' : '');
      for (const long of [text, '~\n'.repeat(2000) + text]) {
        const want = reference(pattern, long);
        for (const engine of ENGINES)
          expect({ pattern, text, engine, got: compileLineRegex(pattern, engine).firstMatchingLine(long) }).toEqual({
            pattern,
            text,
            engine,
            got: want,
          });
      }
    }
  });
});

describe('the required-literal prefilter keeps MIG line semantics', () => {
  const pieces = [
    'abc',
    'cab',
    'b',
    'a',
    '.',
    '(?i)',
    '(?-i)',
    '(?i:ab)',
    '(abc|cab)',
    '[ab]',
    '[^c]',
    'b?',
    'c*',
    '(bc)+',
    '\\Qa.c\\E',
    'kc',
    'sc',
    '^',
    '$',
    '\\b',
    '\\s',
    '[a-c]+',
    '(|abc)',
  ];
  const alphabet = ['a', 'b', 'c', 'A', 'B', 'C', '.', 'k', '\u212A', 's', '\u017F', ' ', '\r'];

  it('agrees with the reference on generated literal-rich patterns, sparse and dense texts', () => {
    const rand = seededInts(3);
    const randomLines = (count: number): string =>
      Array.from({ length: count }, () =>
        Array.from({ length: rand(8) }, () => alphabet[rand(alphabet.length)]).join(''),
      ).join('\n');
    let prefiltered = 0;
    for (let round = 0; round < 300; round++) {
      const pattern = Array.from({ length: 1 + rand(5) }, () => pieces[rand(pieces.length)]).join('');
      if (regexProblem(pattern) !== undefined) continue;
      const re = compileLineRegex(pattern, 're2js');
      const tail = randomLines(1 + rand(6)) + (rand(2) === 0 ? '\n' : '');
      // Sparse: filler without literals; dense: random lines that often hold one (the fallback).
      for (const text of [tail, '~\n'.repeat(2000) + tail, `${randomLines(300)}\n${tail}`]) {
        expect({ pattern, text, got: re.firstMatchingLine(text) }).toEqual({
          pattern,
          text,
          got: reference(pattern, text),
        });
      }
      if (/abc|cab|a\.c|kc|sc/i.test(pattern)) prefiltered++;
    }
    expect(prefiltered).toBeGreaterThan(100);
  });

  it.each([
    {
      name: 'match after many candidate lines (dense fallback)',
      input: { filler: 'powershell.exe -nop\n', pattern: '(?i)(cmd|powershell)\\.exe.*-enc' },
    },
    {
      name: 'match after sparse candidate lines',
      input: { filler: `${'x'.repeat(3000)} cmd.exe\n`, pattern: '(?i)(cmd|powershell)\\.exe.*-enc' },
    },
  ])('$name', ({ input }) => {
    const hit = 'C:\\CMD.EXE /c -enc\n';
    const text = `${input.filler.repeat(200)}${hit}${input.filler.repeat(10)}`;
    const want = input.filler.length * 200;
    const re = compileLineRegex(input.pattern);
    expect(re.engine).toBe('re2js');
    expect(reference(input.pattern, text)).toBe(want);
    expect(re.firstMatchingLine(text)).toBe(want);
    expect(re.firstMatchingLine(text, want + hit.length)).toBe(-1);
  });
});

describe('no pattern hangs the agent', () => {
  /** Two 1 MiB lines (the longest line content.ts hands over) that hold each pattern's literals but never match. */
  const LONG_LINES = `bz${'a'.repeat(1 << 20)}\n`.repeat(2);

  it.each([
    // Issue 9's hole: these were accepted for V8 (exact repeats only) and cost n * 1000 steps.
    { name: 'a big exact repeat', input: 'a{1000}b' },
    { name: 'a big repeat of a negated class', input: '[^x]{1000}b' },
    { name: 'perl classes repeated', input: '\\w{1000}\\d' },
    { name: 'case-folded repeat', input: '(?i)A{1000}b' },
    { name: 'repeats in every alternative', input: 'a{500}c|a{500}d|a{500}b' },
    { name: 'a dot repeat before a literal', input: 'z.{1000}b' },
    // Backtracking traps: overlapping alternatives and nested quantifiers.
    { name: 'alternation of overlapping branches, repeated', input: '(a|a)+bz' },
    { name: 'nested quantifiers over overlapping classes', input: '(\\w+\\d*)+bz' },
    { name: 'two dot-stars, literals in the wrong order', input: '.*z.*b' },
    { name: 'case-folded overlapping alternation', input: '(?i)(a|A)+bz' },
  ])('$name ($input) on 1 MiB lines runs on re2js and finds nothing', ({ input }) => {
    const re = compileLineRegex(input);
    expect(re.engine).toBe('re2js');
    expect(re.firstMatchingLine(LONG_LINES)).toBe(-1);
  });

  it('every pattern V8 gets costs at most MAX_V8_STEPS per start position', () => {
    const rand = seededInts(11);
    const atoms = ['a', '.', '[ab]', '\\w', '^', '\\b', '|', 'a{7}', '.{20}', '\\d{33}', 'x{0}'];
    let onV8 = 0;
    for (let round = 0; round < 500; round++) {
      const pattern = Array.from({ length: 1 + rand(8) }, () => atoms[rand(atoms.length)]).join('');
      const form = toJsForm(pattern);
      if (form === undefined) continue;
      onV8++;
      // The bound, recomputed independently: a repeat counts its n, any other atom 1.
      const steps = pattern
        .split('|')
        .reduce(
          (sum, alt) =>
            sum +
            [...alt.matchAll(/(\\[wd]|\[ab\]|\.|a|x)(\{(\d+)\})?/g)].reduce(
              (s, m) => s + (m[3] === undefined ? 1 : Number(m[3])),
              0,
            ),
          0,
        );
      expect({ pattern, steps: Math.min(steps, MAX_V8_STEPS + 1) }).toEqual({
        pattern,
        steps: Math.min(steps, MAX_V8_STEPS),
      });
    }
    expect(onV8).toBeGreaterThan(50);
  });

  it.each([
    { name: 'nested quantifier on a long run', input: '(a+)+$', text: `${'a'.repeat(100_000)}!` },
    { name: 'quadratic for backtracking engines', input: 'a*b', text: 'a'.repeat(200_000) },
    { name: 'exponential alternation', input: '(a|aa)*c', text: 'a'.repeat(5_000) },
  ])('$name runs on re2js and finds nothing', ({ input, text }) => {
    const re = compileLineRegex(input);
    expect(re.engine).toBe('re2js');
    expect(re.firstMatchingLine(text)).toBe(-1);
    expect(re.test(text)).toBe(false);
  });
});

describe('regexProblem', () => {
  // Alike on purpose (duplicates): {name, input, want} rows in STYLE's table form, one pattern and the problem it
  // reports; protocol/target/format.test.ts's table shares only that form.
  it.each([
    { name: 'valid', input: '^(?i)root:', want: undefined },
    { name: 'empty', input: '', want: 'expected a regular expression, got an empty string' },
    { name: 'too long', input: 'a'.repeat(8193), want: 'expected at most 8192 characters, got 8193' },
    {
      name: 'unbalanced',
      input: 'a)',
      want: 'not a valid RE2 regular expression (error parsing regexp: unexpected ): `a)`)',
    },
    { name: 'repeat beyond RE2 limits', input: '(a{500}){500}', want: 'invalid repeat count' },
  ])('$name', ({ input, want }) => {
    const got = regexProblem(input);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(want);
  });
});
