import { describe, expect, it } from 'vitest';
import { ContentScanner, FIRST_RUN_BYTES, LineFramer, LineRun, MAX_LINE_BYTES, RUN_BYTES } from './content.js';
import { splitNegation } from './param-values.js';
import type { RegexCheck } from './plan.js';
import { seededInts } from '../../../test/helpers/seeded-ints.js';
import { compileLineRegex, type RegexEngine } from './regex.js';

function checks(values: readonly string[], engine: 'auto' | RegexEngine = 'auto'): RegexCheck[] {
  return values.map((value) => {
    const { pattern, isNegated } = splitNegation(value);
    return { re: compileLineRegex(pattern, engine), isNegated, label: `content:${value}` };
  });
}

/** Feeds `text` in pieces of `size` bytes (the last piece shorter) and returns the raw results. */
function scan(
  values: readonly string[],
  text: string | Buffer,
  size: number,
  isMacroal = false,
  engine: 'auto' | RegexEngine = 'auto',
): boolean[] {
  const scanner = new ContentScanner(checks(values, engine), isMacroal, false);
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
    // A trailing '\r' is part of the line: the bytes as stored, not MIG's bufio.ScanLines.
    {
      name: 'CRLF: the \\r is before the end anchor',
      input: ['eve$', 'eve\\r$', 'eve\\s$', 'eve.$'],
      want: [false, true, true, true],
    },
    { name: 'CRLF: a line holding only \\r is not empty', input: ['^$', '^\\r$'], want: [false, true] },
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
    { name: 'CRLF lines: the \\r is part of each line', input: '# c\r\nkey one\r\n', want: false },
    { name: 'no lines at all', input: '', want: false },
  ])('macroal: $name', ({ input, want }) => {
    for (const size of SIZES)
      expect({ size, got: scan(['^(#.*|key \\w+|)$'], input, size, true) }).toEqual({ size, got: [want] });
  });

  it('macroal with a negated regex: no line may match it', () => {
    expect(scan(['^\\w', '!rogue'], 'key one\nkey two\n', 3, true)).toEqual([true, true]);
    expect(scan(['^\\w', '!rogue'], 'key one\nrogue two\n', 3, true)).toEqual([false, false]);
  });

  it('macroal over CRLF lines: a pattern that allows the \\r', () => {
    expect(scan(['^(#.*|key \\w+|)\\r?$'], '# c\r\nkey one\r\n', 3, true)).toEqual([true]);
  });

  // MIG's checkContent on an empty file never sets macroalstatus: the checks are judged as without macroal.
  it('macroal on an empty file: a regex fails and a negated regex passes, as MIG judges them', () => {
    for (const size of SIZES) expect(scan(['.*', '!rogue'], '', size, true)).toEqual([false, true]);
  });

  it('a line of several MiB is matched whole, across every chunk size', () => {
    const long = Buffer.concat([Buffer.from('start'), Buffer.alloc(3 * 1024 * 1024, 'a'), Buffer.from('end\nafter\n')]);
    for (const size of [64 * 1024, 1 << 20]) {
      expect(scan(['^start', '^starta+end$', 'aend$', '^after$', '^a+$'], long, size)).toEqual([
        true,
        true,
        true,
        true,
        false,
      ]);
    }
  });

  it('a line past MAX_LINE_BYTES overflows the scanners that still need bytes: no piece is judged as a line', () => {
    const settled = new ContentScanner(checks(['^first$']), false, false);
    const pending = new ContentScanner(checks(['^a+$']), false, false);
    const framer = new LineFramer([settled, pending]);
    framer.push(Buffer.from('first\n'));
    const piece = Buffer.alloc(1 << 20, 'a');
    for (let sent = 0; sent <= MAX_LINE_BYTES; sent += piece.length) framer.push(piece);
    framer.end();
    expect(settled.isOverflowed).toBe(false);
    expect(settled.results()).toEqual([true]);
    expect(pending.isOverflowed).toBe(true);
  });

  it('bytes are matched exactly: invalid UTF-8 never becomes U+FFFD', () => {
    // a, an invalid byte, b; then a truncated 3-byte sequence (two bytes), c.
    const text = Buffer.from([0x61, 0xff, 0x62, 0x0a, 0x61, 0xe2, 0x82, 0x63, 0x0a]);
    expect(scan(['^a.b$', '^a..c$', '^a.c$', '\\x{fffd}', '^a\\x{fffd}b$'], text, 1)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    // A real U+FFFD (EF BF BD) in the file is still text.
    expect(scan(['^a\\x{fffd}b$'], Buffer.from('a\ufffdb\n'), 1)).toEqual([true]);
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

  // Patterns V8 runs and patterns only re2js runs (a `+` is outside the V8 subset) take different paths in regex.ts.
  it.each(['v8', 're2js'] as const)('%s: the \\r of CRLF and invalid bytes are matched as stored', (engine) => {
    const crlf = 'one\r\ntwo\r\n\r\nlast\r';
    const patterns = ['one$', 'one\\r$', '^\\r$', '^$', 'o+$', 'o+\\r$', 'last$', 'last\\r$', '^t\\w+\\r$'];
    const want = [false, true, true, false, false, true, false, true, true];
    for (const size of [1, 5, 64])
      expect({ size, got: scan(patterns, crlf, size, false, engine) }).toEqual({ size, got: want });
    const binary = Buffer.from([0x00, 0x61, 0xff, 0xfe, 0x62, 0x0a]);
    expect(scan(['a..b', 'a.+b', '\\x{fffd}', 'a[^x]{2}b'], binary, 2, false, engine)).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });

  // A required literal is looked for in each run's bytes before any decoding (byte-finder.ts):
  // wherever the literal falls (across read borders, on the last line, beside '\r' or binary
  // bytes), the answer is the one of matching each line alone.
  it('a rare literal in long text, wherever it falls, however the bytes arrive', () => {
    const filler = 'GET /app/item/1 HTTP/1.1 200 "-" "curl/8.5.0"\n'.repeat(4000); // ~180 KiB, > RUN_BYTES
    const places = [
      { name: 'first line', text: `legend.rocks\n${filler}` },
      { name: 'past a run', text: `${filler}${filler}x legend.rocks y\n${filler}` },
      { name: 'last line without newline', text: `${filler}last legend.rocks` },
      { name: 'CRLF line', text: `${filler}a legend.rocks\r\n${filler}` },
      { name: 'after binary bytes', text: `${filler}\u0000\u00ff\u0000legend.rocks\u0000\n` },
      { name: 'absent, a near miss', text: `${filler}legend.rock s legend-rocks\n${filler}` },
    ];
    const patterns = [
      'legend\\.rocks',
      'legend\\.rocks$',
      '^legend\\.rocks',
      'legend\\.rocks\\r$',
      'legend\\.ro[ck]+s',
    ];
    for (const { name, text } of places) {
      const bytes = Buffer.from(text, 'latin1');
      const lines = bytes.toString('latin1').split('\n');
      const want = patterns.map((p) => lines.some((line) => new RegExp(p).test(line)));
      for (const size of [3, 4093, 64 * 1024, 1 << 20])
        expect({ name, size, got: scan(patterns, bytes, size) }).toEqual({ name, size, got: want });
    }
  });

  // Each byte prefilter (a literal, a case-insensitive literal, a class run) only skips runs
  // where no line can match: over long generated text the answers are those of testing each
  // line alone, whatever the read sizes.
  it('with every kind of byte prefilter, the answers of testing each line alone', () => {
    const patterns = ['legend\\.rocks', '(?i)legend\\.rocks', '[0-9]{6,}', '(?i)[0-9a-f]{8}x', '^\\d{4}-\\d{2}$'];
    // Each just long enough to match (or one byte short): a filter off by one misses it.
    const samples = [
      'legend.rocks',
      'LeGeNd.RoCkS',
      '123456',
      'DEADbeefX',
      '2026-12',
      'legend.rock',
      '12345',
      'deadbeeX',
    ];
    let state = 7;
    const pick = (n: number): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % n;
    };
    for (let round = 0; round < 2 * samples.length; round++) {
      const lines: string[] = [];
      for (let i = 0; i < 6000; i++)
        lines.push(`10.0.${i % 256}.1 - - "GET /item/${i % 9999} HTTP/1.1" 200 ${i % 777}`);
      // One sample a round, each twice: alone on its line, then at the end of a CRLF line.
      const sample = samples[round % samples.length] as string;
      const at = pick(lines.length);
      lines[at] = round < samples.length ? sample : `${lines[at]} ${sample}\r`;
      const bytes = Buffer.from(lines.join('\n') + (pick(2) === 0 ? '\n' : ''));
      const want = patterns.map((p) => {
        const re = compileLineRegex(p);
        return bytes
          .toString('latin1')
          .split('\n')
          .some((line) => re.test(line));
      });
      for (const size of [4093, 64 * 1024, 1 << 20])
        expect({ round, size, got: scan(patterns, bytes, size) }).toEqual({ round, size, got: want });
    }
  });
});

describe('a pattern that is only an ASCII literal is decided from the bytes', () => {
  /** A run whose lines must not be decoded: the scanner answers from its bytes alone. */
  class UndecodedRun extends LineRun {
    override text(): string {
      throw new Error('decoded');
    }
  }

  it('finds it without decoding the lines, and still finds nothing where it is absent', () => {
    const scanner = new ContentScanner(checks(['Googlebot', '!legend\\.rocks']), false, false);
    scanner.feed(new UndecodedRun(Buffer.from('1.2.3.4 - - "GET /" 200 "Googlebot/2.1"\nnext line\n')));
    expect(scanner.results()).toEqual([true, true]);
  });

  it('decodes the lines for any other pattern (the spy above would see it)', () => {
    const scanner = new ContentScanner(checks(['Google.ot']), false, false);
    expect(() => scanner.feed(new UndecodedRun(Buffer.from('Googlebot\n')))).toThrow('decoded');
  });

  it('answers as the decoded search does (re2js), on random text arriving in random pieces', () => {
    const rand = seededInts(7);
    const alphabet = ['a', 'b', '.', '\n', '\r', '\t', '\u00e9', '\u0000', '\udc80'];
    for (const pattern of ['ab', 'a\\.b', 'b\\ra', 'a\\r', 'a\\tb', '!ab']) {
      expect(compileLineRegex(pattern.replace(/^!/, '')).isDecidedByBytes).toBe(true);
      for (let round = 0; round < 200; round++) {
        const text = Array.from({ length: rand(16) }, () => alphabet[rand(alphabet.length)]).join('');
        const size = 1 + rand(8);
        expect({ pattern, text, size, found: scan([pattern], text, size) }).toEqual({
          pattern,
          text,
          size,
          found: scan([pattern], text, size, false, 're2js'),
        });
      }
    }
  });
});

describe('LineFramer runs', () => {
  /** Records the size of every run it is fed, and never settles. */
  class RunSizes extends ContentScanner {
    readonly sizes: number[] = [];
    override feed(run: LineRun): void {
      this.sizes.push(run.bytes.length);
    }
  }

  it('start small and double up to RUN_BYTES, so a match in the first lines decodes a few KiB', () => {
    const recorder = new RunSizes(checks(['x']), false, false);
    const framer = new LineFramer([recorder]);
    const line = `${'a'.repeat(99)}\n`;
    framer.push(Buffer.from(line.repeat(4000)));
    framer.end();
    const limits = [1, 2, 4, 8, 16, 16, 16].map((k) => Math.min(k * FIRST_RUN_BYTES, RUN_BYTES));
    expect(
      recorder.sizes
        .slice(0, limits.length)
        .map((size, i) => size <= (limits[i] ?? 0) && size > (limits[i] ?? 0) - 100),
    ).toEqual(limits.map(() => true));
    expect(recorder.sizes.reduce((a, b) => a + b, 0)).toBe(400_000);
  });
});
