import { RE2JS } from 're2js';
import { byteFinder } from './byte-finder.js';
import { classRunFilter, type BytesFilter } from './class-run.js';
import { foldedFilter } from './folded-finder.js';
import { literalFinder, requiredLiterals, type LiteralFinder } from './literals.js';
import { isCrlfSensitive, toChunkPattern } from './regex-anchors.js';
import { fragmentFinder } from './regex-fragment.js';
import { toJsForm } from './regex-js.js';

/**
 * Investigators' regular expressions (RE2 syntax, as MIG's Go agent used) run on endpoints, so
 * none may hang an agent: every pattern is validated and run by re2js (a linear-time port of
 * RE2), except patterns proven linear for V8's backtracking engine (regex-js.ts), which run on
 * V8 because it is 10-60x faster on them; re2js only sees lines holding the literals its pattern
 * requires (literals.ts), found by V8. bench/file-content.ts keeps the comparison.
 */
export type RegexEngine = 'v8' | 're2js';

export const MAX_PATTERN_CHARS = 8192;
/** Bounds compile time and memory of one pattern (a 500-domain IOC alternation is ~20k). */
const MAX_PROGRAM_SIZE = 200_000;
/** Below this many chars, checking lines one by one beats splitting the range further. */
const SMALL_RANGE_CHARS = 2048;
/** This many candidate lines without a match, closer than SMALL_RANGE_CHARS apart: the literal is common here. */
const DENSE_MISSES = 32;

export interface LineRegex {
  /** The pattern as the investigator wrote it (without a leading `!`). */
  readonly source: string;
  readonly engine: RegexEngine;
  /** UTF-8 bytes every match contains, when known: a run of lines without them cannot match. */
  readonly literal: Buffer | undefined;
  /**
   * A test of raw bytes (whole lines) before they are decoded, false only when no line in them
   * can match: a search for `literal` (byte-finder.ts), for a case-insensitive literal
   * (folded-finder.ts), or for a run of one ASCII class (class-run.ts); undefined when the
   * pattern offers none.
   */
  readonly bytesFilter: BytesFilter | undefined;
  /**
   * A run of whole lines holds a matching line exactly when bytesFilter finds `literal` in its
   * bytes: the pattern is nothing but an ASCII literal without '\n' (an ASCII byte is always
   * decoded as itself, line-text.ts, and such a literal cannot span two lines). Then the lines
   * need not be decoded nor searched again.
   */
  readonly isDecidedByBytes: boolean;
  /** Go's MatchString: does the pattern match somewhere in `text` (one line, a file name, a mode)? */
  test(text: string): boolean;
  /**
   * Start index of the first line of `text` at or after `from` (a line start) that the pattern
   * matches, or -1. Lines end with '\n'; a '\r' before it is not part of the line.
   */
  firstMatchingLine(text: string, from?: number): number;
}

/**
 * Verdicts of regexProblem, by pattern. Compiling with re2js to check a pattern was two thirds
 * of a file operation's parameter check (measured warm: 28-32 µs per check, 8-10 µs with this),
 * paid by every agent on every command; the same patterns come back with every action, and the
 * verdict depends on the text alone. Bounded: patterns come from the network, so the oldest
 * verdict goes when the map is full.
 */
const verdicts = new Map<string, string | undefined>();
const MAX_VERDICTS = 512;

/** Why `source` cannot be used, or undefined when it compiles as RE2 within our limits. */
export function regexProblem(source: string): string | undefined {
  if (source.length === 0) return 'expected a regular expression, got an empty string';
  if (source.length > MAX_PATTERN_CHARS)
    return `expected at most ${MAX_PATTERN_CHARS} characters, got ${source.length}`;
  if (verdicts.has(source)) return verdicts.get(source);
  const verdict = compileProblem(source);
  if (verdicts.size >= MAX_VERDICTS) verdicts.delete(verdicts.keys().next().value ?? '');
  verdicts.set(source, verdict);
  return verdict;
}

function compileProblem(source: string): string | undefined {
  try {
    const size = RE2JS.compile(source).programSize();
    if (size > MAX_PROGRAM_SIZE)
      return `pattern compiles to ${size} instructions, the limit is ${MAX_PROGRAM_SIZE}; split it`;
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return `not a valid RE2 regular expression (${message})`;
  }
}

/** Compiles a pattern that passed regexProblem. `engine` forces one engine (tests, benchmarks). */
export function compileLineRegex(source: string, engine: 'auto' | RegexEngine = 'auto'): LineRegex {
  if (engine !== 're2js') {
    const form = toJsForm(source);
    if (form !== undefined) {
      try {
        const literal = form.literal === undefined ? undefined : Buffer.from(form.literal);
        const isDecidedByBytes = form.isLiteralOnly && isAsciiWithoutNewline(form.literal ?? '');
        return new V8LineRegex(
          source,
          new RegExp(form.source, form.flags),
          new RegExp(form.source, `${form.flags}gm`),
          literal,
          isDecidedByBytes,
        );
      } catch {
        // A spelling V8 refuses: re2js runs every RE2 pattern.
      }
    }
  }
  return new Re2LineRegex(source);
}

function isAsciiWithoutNewline(text: string): boolean {
  return /^\p{ASCII}+$/u.test(text) && !text.includes('\n');
}

/** Made on first use: a pattern matched against file names only never needs one. */
function bytesFilterOf(source: string, literal: Buffer | undefined): BytesFilter | undefined {
  return literal === undefined ? (foldedFilter(source) ?? classRunFilter(source)) : byteFinder(literal);
}

function lineEnd(text: string, index: number): number {
  const nl = text.indexOf('\n', index);
  return nl < 0 ? text.length : nl;
}

/** The line between two indexes, without the '\r' of a '\r\n' ending. */
function lineText(text: string, start: number, end: number): string {
  return end > start && text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
}

class V8LineRegex implements LineRegex {
  readonly engine = 'v8';
  private filter: BytesFilter | undefined | null = null;

  constructor(
    readonly source: string,
    private readonly line: RegExp,
    private readonly chunk: RegExp,
    readonly literal: Buffer | undefined,
    readonly isDecidedByBytes: boolean,
  ) {}

  get bytesFilter(): BytesFilter | undefined {
    if (this.filter === null) this.filter = bytesFilterOf(this.source, this.literal);
    return this.filter;
  }

  test(text: string): boolean {
    return this.line.test(text);
  }

  firstMatchingLine(text: string, from = 0): number {
    let start = from;
    while (start < text.length) {
      this.chunk.lastIndex = start;
      const hit = this.chunk.exec(text);
      if (hit === null) return -1;
      // An empty match after the final '\n' is not on any line.
      if (hit.index === text.length && text.charCodeAt(text.length - 1) === 10) return -1;
      // A '\n' at hit.index ends the line before it: the line starts after the previous '\n'.
      const lineStart = hit.index === start ? start : Math.max(text.lastIndexOf('\n', hit.index - 1) + 1, start);
      const end = lineEnd(text, hit.index);
      // The chunk form over-approximates (a class can cross a '\n'): confirm on the line alone.
      if (this.line.test(lineText(text, lineStart, end))) return lineStart;
      start = end + 1;
    }
    return -1;
  }
}

class Re2LineRegex implements LineRegex {
  readonly engine = 're2js';
  readonly isDecidedByBytes = false;
  readonly literal: Buffer | undefined;
  private filter: BytesFilter | undefined | null = null;
  private readonly line: RE2JS;
  private readonly chunk: RE2JS | undefined;
  /** The chunk form may miss matches on '\r\n' lines (regex-anchors.ts): not for such text. */
  private readonly isCrlfSensitive: boolean;
  /** Finders of required literals (literals.ts), the most selective first, or of a required piece (regex-fragment.ts); maybe none. */
  private readonly finders: readonly LiteralFinder[];

  constructor(readonly source: string) {
    this.line = RE2JS.compile(source);
    const required = requiredLiterals(source);
    this.literal = required?.always === undefined ? undefined : Buffer.from(required.always);
    const literals = (required?.sets ?? []).map((set) => literalFinder(set, required?.isFolded ?? true));
    // No literal to look for: maybe a piece of the pattern V8 can look for (regex-fragment.ts).
    const fragment = literals.length === 0 ? fragmentFinder(source) : undefined;
    this.finders = fragment === undefined ? literals : [fragment];
    this.isCrlfSensitive = isCrlfSensitive(source);
    try {
      this.chunk = RE2JS.compile(toChunkPattern(source));
    } catch {
      this.chunk = undefined; // Never expected; then every line is tested on its own, still correct.
    }
  }

  get bytesFilter(): BytesFilter | undefined {
    if (this.filter === null) this.filter = bytesFilterOf(this.source, this.literal);
    return this.filter;
  }

  test(text: string): boolean {
    return this.line.test(text);
  }

  firstMatchingLine(text: string, from = 0): number {
    const [primary, ...others] = this.finders;
    return primary === undefined ? this.searchRest(text, from) : this.prefiltered(text, from, primary, others);
  }

  private searchRest(text: string, from: number): number {
    if (this.isCrlfSensitive && text.includes('\r', from)) return this.eachLine(text, from, text.length);
    return this.search(text, from, text.length);
  }

  /**
   * Only a line holding a required literal can match: V8 finds those at GB/s, re2js checks each.
   * When they are many, one re2js search over the rest beats a call per line (unless another
   * required set is missing from the rest).
   */
  private prefiltered(text: string, from: number, primary: LiteralFinder, others: readonly LiteralFinder[]): number {
    for (let start = from, misses = 0; start < text.length; misses++) {
      if (misses >= DENSE_MISSES && start - from < misses * SMALL_RANGE_CHARS) {
        return others.some((find) => find(text, start) < 0) ? -1 : this.searchRest(text, start);
      }
      const hit = primary(text, start);
      if (hit < 0) return -1;
      // A '\n' at the hit ends the line before it (a literal may begin with one).
      const lineStart = hit === start ? start : Math.max(text.lastIndexOf('\n', hit - 1) + 1, start);
      const end = lineEnd(text, hit);
      if (this.line.test(lineText(text, lineStart, end))) return lineStart;
      start = end + 1;
    }
    return -1;
  }

  /**
   * re2js answers "is there a match" on its fast DFA path but finds positions much more slowly,
   * so a hit is located by halving the range (at line boundaries) and testing each half.
   */
  private search(text: string, start: number, end: number): number {
    if (start >= end) return -1;
    if (this.chunk === undefined || end - start <= SMALL_RANGE_CHARS) return this.eachLine(text, start, end);
    if (!this.chunk.test(text.slice(start, end))) return -1;
    const mid = splitPoint(text, start, end);
    if (mid < 0) return this.eachLine(text, start, end);
    const left = this.search(text, start, mid);
    return left >= 0 ? left : this.search(text, mid, end);
  }

  private eachLine(text: string, start: number, end: number): number {
    for (let lineStart = start; lineStart < end;) {
      const stop = Math.min(lineEnd(text, lineStart), end);
      if (this.line.test(lineText(text, lineStart, stop))) return lineStart;
      lineStart = stop + 1;
    }
    return -1;
  }
}

/** A line start strictly inside (start, end) near its middle, or -1 when the range is one line. */
function splitPoint(text: string, start: number, end: number): number {
  const middle = (start + end) >> 1;
  const after = text.indexOf('\n', middle);
  if (after >= 0 && after + 1 < end) return after + 1;
  const before = text.lastIndexOf('\n', middle - 1);
  return before >= start && before + 1 < end ? before + 1 : -1;
}
