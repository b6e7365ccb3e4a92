/**
 * A deliberately partial parser of RE2 syntax, for one purpose: finding literals every match must
 * contain (literals.ts). re2js does not export its parse tree, so this re-reads the pattern. It
 * only ever sees patterns re2js compiled already, and it may *lose* information (a class, a
 * non-ASCII case-folded character become `any`) but must never invent any: whatever it does not
 * understand makes it throw `Unsupported`, and the pattern simply runs without a prefilter.
 */
export type SyntaxNode =
  /** One code point; `isFolded`: under (?i), then always ASCII (see `literal`). */
  | { kind: 'char'; text: string; isFolded: boolean }
  /** Any one character of some set (`.`, a class, `\d`, ...): nothing is known of it. */
  | { kind: 'any' }
  /** Matches the empty string only (`^`, `$`, `\b`, a flag group). */
  | { kind: 'empty' }
  | { kind: 'concat'; subs: SyntaxNode[] }
  | { kind: 'alternate'; subs: SyntaxNode[] }
  /** `*`, `+`, `?`, `{n,m}` (lazy or not: the same strings match). */
  | { kind: 'repeat'; sub: SyntaxNode; min: number; max: number };

export class Unsupported extends Error {}

const ANY: SyntaxNode = { kind: 'any' };
const EMPTY: SyntaxNode = { kind: 'empty' };
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
/** Escapes of one character of a set, two characters long. */
const SET_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'C']);
const ASSERTION_ESCAPES = new Set(['A', 'z', 'b', 'B']);
/** Classes longer than this are `any`: a long list of one-character literals filters nothing. */
const MAX_CLASS_CHARS = 4;

/** Parses a pattern re2js accepted; throws Unsupported for syntax outside this subset. */
export function parseSyntax(pattern: string): SyntaxNode {
  const parser = new Parser(pattern);
  const node = parser.alternation();
  if (parser.i !== pattern.length) throw new Unsupported();
  return node;
}

class Parser {
  i = 0;
  /** (?i) is in force: a flag group sets it until the end of the enclosing group. */
  private isFolded = false;

  constructor(private readonly src: string) {}

  alternation(): SyntaxNode {
    const subs = [this.concatenation()];
    while (this.src[this.i] === '|') {
      this.i++;
      subs.push(this.concatenation());
    }
    return subs.length === 1 ? (subs[0] ?? EMPTY) : { kind: 'alternate', subs };
  }

  private concatenation(): SyntaxNode {
    const subs: SyntaxNode[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      // As in re2js, an operator repeats the last thing pushed: one character of `\Q...\E`,
      // or what came before a `(?i)` (which pushes nothing): leave that oddity to re2js.
      const nodes = this.src.startsWith('\\Q', this.i)
        ? this.quoted()
        : this.isFlagGroup()
          ? this.flagGroup()
          : [this.atom()];
      let last = nodes.pop();
      for (let count = this.repeatCount(); count !== undefined; count = this.repeatCount()) {
        if (last === undefined) throw new Unsupported();
        last = { kind: 'repeat', sub: last, ...count };
      }
      subs.push(...nodes, ...(last === undefined ? [] : [last]));
    }
    return { kind: 'concat', subs };
  }

  /** The counts of a repetition operator at `i` (consumed, with a lazy `?`), if there is one. */
  private repeatCount(): { min: number; max: number } | undefined {
    const ch = this.src[this.i];
    // re2js reads a count with a leading zero as literal text: so must we (an exact string).
    const counted = ch === '{' ? /^\{(0|[1-9]\d*)(,(0|[1-9]\d*)?)?\}/.exec(this.src.slice(this.i)) : null;
    // Any near miss is left to re2js rather than guessed at.
    if (counted === null && ch === '{' && /^\{[\d,]*\}?/.exec(this.src.slice(this.i))?.[0] !== '{')
      throw new Unsupported();
    let count: { min: number; max: number } | undefined;
    if (ch === '*' || ch === '?' || ch === '+') count = { min: ch === '+' ? 1 : 0, max: ch === '?' ? 1 : Infinity };
    // A '{' that does not open a count is a literal character in RE2.
    else if (counted !== null)
      count = {
        min: Number(counted[1]),
        max: counted[2] === undefined ? Number(counted[1]) : counted[3] ? Number(counted[3]) : Infinity,
      };
    if (count === undefined) return undefined;
    this.i += counted === null ? 1 : counted[0].length;
    if (this.src[this.i] === '?') this.i++;
    return count;
  }

  private atom(): SyntaxNode {
    const ch = this.src[this.i];
    if (ch === '(') return this.group();
    if (ch === '[') return this.charClass();
    if (ch === '\\') return this.escape();
    this.i++;
    if (ch === '.') return ANY;
    if (ch === '^' || ch === '$') return EMPTY;
    const cp = this.src.codePointAt(this.i - 1) ?? 0;
    if (cp > 0xffff) this.i++;
    return this.literal(cp);
  }

  /** Under (?i) only ASCII keeps its identity: its case orbits are the same in RE2 and V8 `iu`. */
  private literal(cp: number): SyntaxNode {
    if (this.isFolded && cp > 0x7f) return ANY;
    return { kind: 'char', text: String.fromCodePoint(cp), isFolded: this.isFolded };
  }

  private isFlagGroup(): boolean {
    return /^\(\?[imsU]*(?:-[imsU]+)?\)/.test(this.src.slice(this.i, this.i + 16));
  }

  /** `(?i)`, `(?-i)`...: changes the flags until the end of the enclosing group; matches nothing. */
  private flagGroup(): SyntaxNode[] {
    const end = this.src.indexOf(')', this.i);
    const [on = '', off = ''] = this.src.slice(this.i + 2, end).split('-');
    if (on.includes('i')) this.isFolded = true;
    if (off.includes('i')) this.isFolded = false;
    this.i = end + 1;
    return [];
  }

  private group(): SyntaxNode {
    const head = /^\((\?(?:P?<[A-Za-z0-9_]+>|([imsU]*(?:-[imsU]+)?):))?/.exec(this.src.slice(this.i));
    // Lookarounds and other `(?` forms re2js rejects by default; named groups with odd names.
    if (head === null || (head[1] === undefined && this.src[this.i + 1] === '?')) throw new Unsupported();
    this.i += head[0].length;
    const outer = this.isFolded;
    const [on = '', off = ''] = head[2]?.split('-') ?? [];
    if (on.includes('i')) this.isFolded = true;
    if (off.includes('i')) this.isFolded = false;
    const node = this.alternation();
    if (this.src[this.i] !== ')') throw new Unsupported();
    this.i++;
    this.isFolded = outer;
    return node;
  }

  private escape(): SyntaxNode {
    const ch = this.src[this.i + 1] ?? '';
    if (ASSERTION_ESCAPES.has(ch)) {
      this.i += 2;
      return EMPTY;
    }
    const cp = this.escapedChar(false);
    return cp === undefined ? ANY : this.literal(cp);
  }

  /** `\Q...\E`: literal text up to `\E` or the end of the pattern, one node per character. */
  private quoted(): SyntaxNode[] {
    const end = this.src.indexOf('\\E', this.i + 2);
    const text = this.src.slice(this.i + 2, end < 0 ? this.src.length : end);
    this.i = end < 0 ? this.src.length : end + 2;
    return Array.from(text, (c) => this.literal(c.codePointAt(0) ?? 0));
  }

  /** Consumes an escape that stands for one character: its code point, or undefined for a set (`\d`, `\pL`). */
  private escapedChar(isInClass: boolean): number | undefined {
    const ch = this.src[this.i + 1] ?? '';
    const rest = this.src.slice(this.i);
    const set = SET_ESCAPES.has(ch) ? /^\\./.exec(rest) : /^\\[pP](?:\{\^?[A-Za-z_]+\}|[A-Za-z])/.exec(rest);
    if (set !== null) {
      if (isInClass && ch === 'C') throw new Unsupported();
      this.i += set[0].length;
      return undefined;
    }
    const hex = /^\\x(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{2}))/.exec(rest);
    const control = CONTROL_ESCAPES[ch];
    const isPunct = /^[!-/:-@[-`{-~]$/.test(ch);
    if (hex === null && control === undefined && !isPunct) throw new Unsupported();
    this.i += hex === null ? 2 : hex[0].length;
    if (hex !== null) return Number.parseInt(hex[1] ?? hex[2] ?? '', 16);
    return control ?? ch.charCodeAt(0);
  }

  /**
   * `[...]`: a short list of plain characters becomes their alternation; anything else (negation,
   * ranges, sets) is `any`. The scan must find the right `]` whatever the class holds.
   */
  private charClass(): SyntaxNode {
    this.i++;
    let isPlain = this.src[this.i] !== '^';
    if (!isPlain) this.i++;
    const chars: number[] = [];
    for (let isFirst = true; this.src[this.i] !== ']' || isFirst; isFirst = false) {
      const ch = this.src[this.i];
      // `[:alpha:]` and a literal '[' are told apart by rules not worth mirroring here.
      if (ch === undefined || ch === '[') throw new Unsupported();
      if (ch === '-') isPlain = false;
      const cp = ch === '\\' ? this.escapedChar(true) : this.src.codePointAt(this.i);
      if (ch !== '\\') this.i += cp !== undefined && cp > 0xffff ? 2 : 1;
      if (cp === undefined) isPlain = false;
      else chars.push(cp);
    }
    this.i++;
    if (!isPlain || chars.length > MAX_CLASS_CHARS) return ANY;
    return { kind: 'alternate', subs: chars.map((cp) => this.literal(cp)) };
  }
}
