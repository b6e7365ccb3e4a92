/**
 * Translates the part of RE2 syntax that a backtracking engine runs in linear time into a
 * V8 RegExp. Investigators' patterns run on endpoints, so a pattern only gets the (much faster)
 * V8 engine when it is *proven* safe: no quantifier other than an exact `{n}`, no group,
 * alternation only at the top level, and at most MAX_V8_STEPS steps per start position.
 * Anything else returns undefined and runs on re2js.
 *
 * Why that bound holds. Without groups and with alternation only at the top level, the pattern
 * is `A1|A2|...|Ak`, each Ai a sequence of atoms (a character, a class, `.`, an assertion), each
 * atom maybe followed by an exact `{n}`. From one start position V8 tries A1, then A2, ...: an
 * atom consumes exactly one character or fails, `x{n}` is a loop of exactly n (min = max: no
 * choice point to come back to), an assertion consumes nothing. So no alternative ever
 * backtracks into itself, and one start position costs at most the sum over all alternatives of
 * their atoms' counts (`{n}` counting n): that sum is `steps`. A search over n characters
 * costs at most n * steps, and the line search in regex.ts never re-scans a character twice
 * with the same regex (each hit moves past its line). The earlier rule bounded this by the
 * pattern's *length*, which a repeat breaks: `a{1000}b` is 8 characters but 1,000 steps, and ran
 * for 12 s on 2 MiB of 'a' (issue 9); re2js runs it in a millisecond. The cap keeps V8's worst
 * case bounded and small (measured on Node 20, worst-case text: `a{63}b` 1.2 s per MiB, so about
 * 0.6 s per MiB at this cap, against re2js's ~20 ms), while the patterns V8 is much faster on
 * in practice (a 32-hex-digit IOC, a short literal, a few short alternatives) stay on V8. What
 * V8 still costs on hostile text is bounded by the module timeout, in a worker thread.
 */

/**
 * One V8 source serves both uses: without the `m` flag it tests one line (or a file name); with
 * it, it finds candidate lines in a run of lines. V8's multiline `^`/`$` also match next to a
 * '\r', so a '\r\n' line ending needs no rewriting (RE2 sees lines without their '\r').
 */
export interface JsForm {
  source: string;
  flags: string;
  /** A string every match contains (case-sensitive patterns without alternation): a prefilter. */
  literal: string | undefined;
  /**
   * The pattern is `literal` and nothing else (no class, `.`, anchor, assertion or repeat): a
   * line matches exactly when it contains `literal`.
   */
  isLiteralOnly: boolean;
}

/** The most steps one start position may cost on V8 (see above); past it, re2js. */
export const MAX_V8_STEPS = 32;

const SPACE_CLASS = '\\t\\n\\f\\r\\x20';
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
const PERL_CLASSES = new Set(['d', 'D', 'w', 'W']);

class NotSafe extends Error {}

interface Emitted {
  text: string;
  next: number;
  /** Can take an exact `{n}` after it. */
  isAtom: boolean;
  /** The exact character it matches, when it is a literal. */
  literal?: string;
}

function literalAtom(codePoint: number, next: number): Emitted {
  const ch = String.fromCodePoint(codePoint);
  return { text: /^[A-Za-z0-9]$/.test(ch) ? ch : hexEscape(codePoint), next, isAtom: true, literal: ch };
}

function hexEscape(codePoint: number): string {
  return `\\u{${codePoint.toString(16)}}`;
}

function isAsciiPunct(ch: string): boolean {
  return /^[!-/:-@[-`{-~]$/.test(ch);
}

/** Parses an escape at src[i] === '\\'; returns the emitted text and the next index. */
function escapeAt(src: string, i: number, inClass: boolean): Emitted {
  const ch = src[i + 1];
  if (ch === undefined) throw new NotSafe();
  if (PERL_CLASSES.has(ch)) return { text: `\\${ch}`, next: i + 2, isAtom: true };
  if (ch === 's') return { text: inClass ? SPACE_CLASS : `[${SPACE_CLASS}]`, next: i + 2, isAtom: true };
  if (ch === 'S' && !inClass) return { text: `[^${SPACE_CLASS}]`, next: i + 2, isAtom: true };
  const control = CONTROL_ESCAPES[ch];
  if (control !== undefined) return literalAtom(control, i + 2);
  if (ch === 'x') {
    const braced = /^\\x\{([0-9a-fA-F]{1,6})\}/.exec(src.slice(i));
    const short = /^\\x([0-9a-fA-F]{2})/.exec(src.slice(i));
    const found = braced ?? short;
    if (found?.[1] === undefined) throw new NotSafe();
    return literalAtom(Number.parseInt(found[1], 16), i + found[0].length);
  }
  if (isAsciiPunct(ch)) return literalAtom(ch.charCodeAt(0), i + 2);
  // \b \B are assertions (not inside classes); octal, \p, \Q...: left to re2js.
  if ((ch === 'b' || ch === 'B') && !inClass) return { text: `\\${ch}`, next: i + 2, isAtom: false };
  throw new NotSafe();
}

/** A class item that can end a range: one code point, emitted as an escape. */
function classChar(src: string, i: number): { text: string; next: number; isChar: boolean } {
  if (src[i] === '\\') {
    const esc = escapeAt(src, i, true);
    return { text: esc.text, next: esc.next, isChar: esc.text.startsWith('\\u{') };
  }
  if (src.startsWith('[:', i)) throw new NotSafe();
  const cp = src.codePointAt(i);
  if (cp === undefined) throw new NotSafe();
  return { text: hexEscape(cp), next: i + String.fromCodePoint(cp).length, isChar: true };
}

function classAt(src: string, start: number): { text: string; next: number } {
  let i = start + 1;
  let text = '[';
  if (src[i] === '^') {
    text += '^';
    i++;
  }
  let isFirst = true;
  while (i < src.length && (src[i] !== ']' || isFirst)) {
    isFirst = false;
    const low = classChar(src, i);
    i = low.next;
    if (src[i] === '-' && src[i + 1] !== ']' && i + 1 < src.length) {
      const high = classChar(src, i + 1);
      if (!low.isChar || !high.isChar) throw new NotSafe();
      text += `${low.text}-${high.text}`;
      i = high.next;
    } else {
      text += low.text;
    }
  }
  if (src[i] !== ']') throw new NotSafe();
  return { text: `${text}]`, next: i + 1 };
}

function elementAt(src: string, i: number): Emitted {
  const ch = src[i] ?? '';
  if (ch === '^' || ch === '$') return { text: ch, next: i + 1, isAtom: false };
  if (src.startsWith('\\A', i)) return { text: '^', next: i + 2, isAtom: false };
  if (src.startsWith('\\z', i)) return { text: '$', next: i + 2, isAtom: false };
  if (ch === '.') return { text: '[^\\n]', next: i + 1, isAtom: true };
  if (ch === '[') {
    const cls = classAt(src, i);
    return { text: cls.text, next: cls.next, isAtom: true };
  }
  if (ch === '\\') return escapeAt(src, i, false);
  if ('*+?()'.includes(ch)) throw new NotSafe();
  const cp = src.codePointAt(i) ?? 0;
  return literalAtom(cp, i + String.fromCodePoint(cp).length);
}

/** `{n}` after an atom is deterministic; any other `{` form (`{01}` is text to RE2) is a quantifier or a literal. */
function repeatAt(src: string, i: number, afterAtom: boolean): Emitted | undefined {
  if (src[i] !== '{') return undefined;
  const exact = /^\{(0|[1-9]\d*)\}/.exec(src.slice(i));
  if (exact !== null && afterAtom) return { text: exact[0], next: i + exact[0].length, isAtom: false };
  if (/^\{\d+(,\d*)?\}/.test(src.slice(i))) throw new NotSafe();
  return undefined;
}

/** Tracks the longest run of consecutive literal characters: a substring of every match. */
class LiteralRun {
  private run = '';
  private best = '';
  private last = '';

  add(el: Emitted, isRepeat: boolean): void {
    if (isRepeat) {
      // `b{3}` (or `b{0}`): the repeated character may not follow the run as written.
      this.run = this.run.slice(0, this.run.length - this.last.length);
      this.end();
    } else if (el.literal !== undefined) {
      this.run += el.literal;
      this.last = el.literal;
    } else {
      this.end();
    }
  }

  end(): void {
    if (this.run.length > this.best.length) this.best = this.run;
    this.run = '';
    this.last = '';
  }

  /** Undefined when empty, or when it holds U+FFFD, which in the text may come from any invalid byte. */
  longest(): string | undefined {
    this.end();
    return this.best.length > 0 && !this.best.includes('\uFFFD') ? this.best : undefined;
  }
}

/** The V8 form of an RE2 pattern, or undefined when the pattern is outside the linear-time subset. */
export function toJsForm(pattern: string): JsForm | undefined {
  const isFolded = pattern.startsWith('(?i)');
  const src = isFolded ? pattern.slice(4) : pattern;
  let source = '';
  let hasAlternation = false;
  const literals = new LiteralRun();
  /** Steps per start position so far (summed over alternatives), and what the last atom added. */
  let steps = 0;
  let lastAtomSteps = 0;
  let isLiteralOnly = !isFolded;
  try {
    let i = 0;
    let afterAtom = false;
    while (i < src.length) {
      if (src[i] === '|') {
        source += '|';
        i++;
        afterAtom = false;
        lastAtomSteps = 0;
        hasAlternation = true;
        continue;
      }
      const repeat = repeatAt(src, i, afterAtom);
      const el: Emitted = repeat ?? elementAt(src, i);
      // With `iu`, V8's \b counts 'ſ' and the Kelvin sign as word characters; RE2's \b does not.
      if (isFolded && (el.text === '\\b' || el.text === '\\B')) throw new NotSafe();
      literals.add(el, repeat !== undefined);
      if (repeat !== undefined || el.literal === undefined) isLiteralOnly = false;
      if (repeat !== undefined) {
        // `x{n}` replaces the one step x was counted for by n.
        steps += Number(/\d+/.exec(repeat.text)?.[0] ?? 0) - lastAtomSteps;
        lastAtomSteps = 0;
      } else {
        lastAtomSteps = el.isAtom ? 1 : 0;
        steps += lastAtomSteps;
      }
      if (steps > MAX_V8_STEPS) throw new NotSafe();
      source += el.text;
      i = el.next;
      afterAtom = el.isAtom;
    }
  } catch (err) {
    if (err instanceof NotSafe) return undefined;
    throw err;
  }
  const literal = isFolded || hasAlternation ? undefined : literals.longest();
  return {
    source,
    flags: isFolded ? 'iu' : 'u',
    literal,
    isLiteralOnly: isLiteralOnly && !hasAlternation && literal !== undefined,
  };
}
