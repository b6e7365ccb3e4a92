import { requiredLiterals } from '../shared/search/literals.js';
import { NotUnderstood, readRules, type RuleString, type RuleText, type Token } from './rule-text.js';

/**
 * YARA's own trick, atoms: a file that contains none of a rule's string literals cannot match a
 * rule whose condition needs one of its strings, so it need not reach the engine. YARA-X's wasm
 * build costs ~5 ms per scan whatever the file (ENGINE.md); a byte search costs microseconds.
 *
 * Conservative throughout: a condition is prefiltered only when it provably needs a string
 * (`$a`, `#a > 0`, `any of them`, `A and B` with either side needing one, `A or B` with both);
 * a string gives atoms only when every match of it provably contains one. When any reported
 * rule cannot be prefiltered (filesize, uint16(0), modules, `not`, syntax unknown here), there
 * is no prefilter and every file goes to the engine. The engine always has the last word.
 */

export interface Atom {
  bytes: Buffer;
  /** Searched ASCII-case-insensitively (nocase, /i). */
  isFolded: boolean;
}

/** Hex runs and regex literals shorter than this match nearly everywhere: no better than a scan. */
const MIN_ATOM_BYTES = 3;
/** A longer atom is no more selective; it only costs search time. */
const MAX_ATOM_BYTES = 64;
/** Counts up to this (and any beyond) say nothing more about selectivity. */
const SELECTIVE_BYTES = 8;
const COMPARISONS = new Set(['==', '!=', '<', '>', '<=', '>=']);
/** Modifiers that keep a string's bytes as written (fullword, private only narrow matches). */
const PLAIN_MODIFIERS = new Set(['nocase', 'wide', 'ascii', 'fullword', 'private']);

/** Atoms at least one of which every match of a condition contains; undefined: none proven. */
type Need = readonly Atom[] | undefined;

/**
 * The atoms of `sources` (compiled by the engine already): a file containing none of them
 * matches no reported rule. Undefined when some reported rule can match without any.
 */
export function prefilterAtoms(sources: readonly string[]): Atom[] | undefined {
  const atoms: Atom[] = [];
  for (const source of sources) {
    let rules: RuleText[];
    try {
      rules = readRules(source);
    } catch (err) {
      if (err instanceof NotUnderstood) return undefined;
      throw err;
    }
    // A rule refers only to rules before it, in its own source (its namespace).
    const needs = new Map<string, Need>();
    for (const rule of rules) {
      const need = conditionNeed(rule.condition, new RuleScope(rule, needs));
      needs.set(rule.name, need);
      // A private rule is never reported: it matters only through the rules that use it.
      if (rule.isPrivate) continue;
      if (need === undefined || need.length === 0) return undefined;
      atoms.push(...need);
    }
  }
  return unique(atoms);
}

class RuleScope {
  private readonly atoms = new Map<RuleString, Need>();

  constructor(
    private readonly rule: RuleText,
    readonly ruleNeeds: ReadonlyMap<string, Need>,
  ) {}

  /** Atoms of the strings `$name` or `$prefix*` names; undefined if none or one has no atoms. */
  stringsNeed(pattern: string): Need {
    const isPrefix = pattern.endsWith('*');
    const stem = isPrefix ? pattern.slice(0, -1) : pattern;
    const named = this.rule.strings.filter((s) => s.id !== '$' && (isPrefix ? s.id.startsWith(stem) : s.id === stem));
    if (named.length === 0) return undefined;
    return union(named.map((s) => this.stringAtoms(s)));
  }

  allStringsNeed(): Need {
    return this.rule.strings.length === 0 ? undefined : union(this.rule.strings.map((s) => this.stringAtoms(s)));
  }

  private stringAtoms(s: RuleString): Need {
    if (!this.atoms.has(s)) this.atoms.set(s, stringAtoms(s));
    return this.atoms.get(s);
  }
}

function conditionNeed(tokens: readonly Token[], scope: RuleScope): Need {
  // `and` binds tighter than `or` in YARA and YARA-X; `not`, `defined`, comparisons and `of`
  // tighter still (checked against the engine in prefilter-engine.test.ts).
  const alternatives = splitTop(tokens, 'or');
  if (alternatives.length > 1) return union(alternatives.map((part) => conditionNeed(part, scope)));
  const factors = splitTop(tokens, 'and');
  if (factors.length > 1) return factors.map((part) => conditionNeed(part, scope)).reduce(better, undefined);
  return termNeed(tokens, scope);
}

function termNeed(t: readonly Token[], scope: RuleScope): Need {
  const [first, second, third] = t;
  if (first === undefined) return undefined;
  if (first.text === '(' && closing(t, 0) === t.length - 1) return conditionNeed(t.slice(1, -1), scope);
  // `$a`, `$a at 100`, `$a in (0..1024)`
  if (first.kind === 'var' && first.text.startsWith('$') && !first.text.endsWith('*') && first.text !== '$')
    return isPlacement(t, 1) ? scope.stringsNeed(first.text) : undefined;
  // `#a > 0`, `#a >= 2`, `#a == 3`, `#a != 0`, `0 < #a`
  if (t.length === 3 && first.kind === 'var' && first.text.startsWith('#') && third?.kind === 'number')
    return isAtLeastOne(second?.text, third.text) ? scope.stringsNeed(`$${first.text.slice(1)}`) : undefined;
  if (t.length === 3 && third?.kind === 'var' && third.text.startsWith('#') && first.kind === 'number')
    return isAtLeastOne(mirror(second?.text), first.text) ? scope.stringsNeed(`$${third.text.slice(1)}`) : undefined;
  if (second?.text === 'of') return ofNeed(t, scope);
  // Another rule of the same namespace, defined above.
  if (t.length === 1 && first.kind === 'ident') return scope.ruleNeeds.get(first.text);
  return undefined;
}

/** `any|all|N of them|($a, $b*)`, optionally `at X` or `in (range)`: at least one string matches. */
function ofNeed(t: readonly Token[], scope: RuleScope): Need {
  const quantifier = t[0]?.text ?? '';
  if (!(quantifier === 'any' || quantifier === 'all' || (/^\d+$/.test(quantifier) && Number(quantifier) >= 1)))
    return undefined;
  const set = t[2];
  if (set?.text === 'them') return isPlacement(t, 3) ? scope.allStringsNeed() : undefined;
  if (set?.text !== '(') return undefined;
  const end = closing(t, 2);
  if (end < 0 || !isPlacement(t, end + 1)) return undefined;
  const items = t.slice(3, end);
  const names: string[] = [];
  for (let i = 0; i < items.length; i += 2) {
    const item = items[i];
    if (item?.kind !== 'var' || !item.text.startsWith('$') || item.text === '$') return undefined;
    if (i + 1 < items.length && items[i + 1]?.text !== ',') return undefined;
    names.push(item.text);
  }
  return names.length === 0 ? undefined : union(names.map((n) => scope.stringsNeed(n)));
}

/** Nothing after `from`, or `at <offset>` with no comparison, or `in (<range>)` closing the term. */
function isPlacement(t: readonly Token[], from: number): boolean {
  const word = t[from]?.text;
  if (word === undefined) return true;
  if (word === 'at') return t.length > from + 1 && t.slice(from + 1).every((x) => !COMPARISONS.has(x.text));
  return word === 'in' && t[from + 1]?.text === '(' && closing(t, from + 1) === t.length - 1;
}

/** `count <op> n` holds only for a count of at least one. */
function isAtLeastOne(op: string | undefined, n: string): boolean {
  if (!/^\d+$/.test(n)) return false;
  const value = Number(n);
  switch (op) {
    case '>':
      return value >= 0;
    case '>=':
    case '==':
      return value >= 1;
    case '!=':
      return value === 0;
    default:
      return false;
  }
}

function mirror(op: string | undefined): string | undefined {
  return op === '<' ? '>' : op === '<=' ? '>=' : op === '==' || op === '!=' ? op : undefined;
}

/** The parts of `tokens` between top-level occurrences of the keyword `word`. */
function splitTop(tokens: readonly Token[], word: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'punct' && (token.text === '(' || token.text === '[')) depth++;
    else if (token.kind === 'punct' && (token.text === ')' || token.text === ']')) depth--;
    if (depth === 0 && token.kind === 'ident' && token.text === word) parts.push([]);
    else parts[parts.length - 1]?.push(token);
  }
  return parts;
}

/** Index of the bracket closing the one at `open`, or -1. */
function closing(t: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    const text = t[i]?.kind === 'punct' ? t[i]?.text : undefined;
    if (text === '(' || text === '[') depth++;
    else if (text === ')' || text === ']') depth--;
    if (depth === 0) return i;
  }
  return -1;
}

/** A match of any part may be the one: the atoms of all parts, or nothing proven. */
function union(needs: readonly Need[]): Need {
  if (needs.some((n) => n === undefined || n.length === 0)) return undefined;
  return unique(needs.flatMap((n) => n ?? []));
}

/** Of two proven needs, the more selective: longer shortest atom, then fewer atoms. */
function better(a: Need, b: Need): Need {
  if (a === undefined || a.length === 0) return b;
  if (b === undefined || b.length === 0) return a;
  const score = (n: readonly Atom[]): number => Math.min(SELECTIVE_BYTES, ...n.map((x) => x.bytes.length));
  return score(b) > score(a) || (score(b) === score(a) && b.length < a.length) ? b : a;
}

function unique(atoms: readonly Atom[]): Atom[] {
  const seen = new Map<string, Atom>();
  for (const atom of atoms) seen.set(`${atom.isFolded ? 'i' : 's'}${atom.bytes.toString('hex')}`, atom);
  return [...seen.values()];
}

/** Atoms one of which every match of `s` contains, or undefined when that cannot be said. */
export function stringAtoms(s: RuleString): Need {
  if ([...s.modifiers].some((m) => !PLAIN_MODIFIERS.has(m))) return undefined; // xor, base64...
  const isFolded = s.modifiers.has('nocase');
  const isWide = s.modifiers.has('wide');
  const isAscii = s.modifiers.has('ascii') || !isWide;
  let literals: (readonly number[])[] | undefined;
  let folded = isFolded;
  switch (s.value.kind) {
    case 'text':
      literals = s.value.bytes === undefined || s.value.bytes.length === 0 ? undefined : [s.value.bytes];
      break;
    case 'hex': {
      const run = longestHexRun(s.value.body);
      literals = run === undefined ? undefined : [run];
      break;
    }
    case 'regex': {
      const found = regexLiterals(s.value.pattern, s.value.flags);
      literals = found?.literals;
      folded ||= found?.isFolded ?? false;
      break;
    }
  }
  if (literals === undefined) return undefined;
  const atoms: Atom[] = [];
  for (const literal of literals) {
    // Case folding and wide interleaving are sure only for ASCII: kept to the longest ASCII run.
    const head = (folded || isWide ? longestAsciiRun(literal) : literal).slice(0, MAX_ATOM_BYTES);
    if (head.length === 0) return undefined;
    if (isAscii) atoms.push({ bytes: Buffer.from(head), isFolded: folded });
    if (isWide) atoms.push({ bytes: Buffer.from(head.flatMap((b) => [b, 0])), isFolded: folded });
  }
  return unique(atoms);
}

function longestAsciiRun(bytes: readonly number[]): number[] {
  let best: number[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && (bytes[i] ?? 0x80) < 0x80) continue;
    if (i - start > best.length) best = bytes.slice(start, i);
    start = i + 1;
  }
  return best;
}

/** The longest run of fixed bytes outside jumps, wildcards, negations and alternatives. */
function longestHexRun(body: string): number[] | undefined {
  let best: number[] = [];
  let run: number[] = [];
  const close = (): void => {
    if (run.length > best.length) best = run;
    run = [];
  };
  let depth = 0;
  const tokens = body.match(/\s+|[0-9A-Fa-f?]{2}|~[0-9A-Fa-f?]{2}|\[[^\]]*\]|[()|]|./g) ?? [];
  for (const token of tokens) {
    if (/^\s+$/.test(token)) continue;
    if (token === '(') depth++;
    else if (token === ')') depth--;
    else if (token !== '|' && !/^(?:[0-9A-Fa-f?]{2}|~[0-9A-Fa-f?]{2}|\[[-0-9 ]*\])$/.test(token)) return undefined; // a comment or anything else unknown here
    if (depth === 0 && /^[0-9A-Fa-f]{2}$/.test(token)) run.push(Number.parseInt(token, 16));
    else close();
  }
  close();
  return depth === 0 && best.length >= MIN_ATOM_BYTES ? best : undefined;
}

/**
 * Literals one of which every match contains, by the content search's required-literal
 * analysis (an RE2 reading; YARA's regex syntax is the same where literals are concerned).
 * Kept only ASCII runs: `\xE9` is a byte in YARA but a character there.
 */
function regexLiterals(pattern: string, flags: string): { literals: number[][]; isFolded: boolean } | undefined {
  if (!/^[is]*$/.test(flags)) return undefined;
  // Braces other than a plain counted repetition, and \Q, may be read differently by the two.
  if (/\\Q/.test(pattern) || /(?<!\\)\{(?!\d+(?:,\d*)?\})/.test(pattern)) return undefined;
  let found: ReturnType<typeof requiredLiterals>;
  try {
    found = requiredLiterals(pattern);
  } catch {
    return undefined;
  }
  if (found === undefined) return undefined;
  const isFolded = flags.includes('i') || found.isFolded;
  // `always` holds only for a case-sensitive pattern; a set holds either way.
  const candidates = [...(isFolded || found.always === undefined ? [] : [[found.always]]), ...found.sets]
    .map(asciiLiterals)
    .filter((c) => c !== undefined);
  const best = candidates.reduce<number[][] | undefined>(
    (a, b) => (a === undefined || isBetter(b, a) ? b : a),
    undefined,
  );
  return best === undefined ? undefined : { literals: best, isFolded };
}

/** Each member's longest ASCII run; undefined when one is too short to be worth a search. */
function asciiLiterals(set: readonly string[]): number[][] | undefined {
  const literals: number[][] = [];
  for (const member of set) {
    // Any code point beyond ASCII stands for a non-ASCII byte: it breaks the run.
    const ascii = longestAsciiRun(Array.from(member, (c) => Math.min(c.codePointAt(0) ?? 0x80, 0x80)));
    if (ascii.length < MIN_ATOM_BYTES) return undefined;
    literals.push(ascii);
  }
  return literals;
}

/** Longer shortest literal (up to SELECTIVE_BYTES), then fewer literals. */
function isBetter(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean {
  const score = (x: readonly (readonly number[])[]): number => Math.min(SELECTIVE_BYTES, ...x.map((l) => l.length));
  return score(a) > score(b) || (score(a) === score(b) && a.length < b.length);
}
