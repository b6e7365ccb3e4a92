import { parseSyntax, Unsupported, type SyntaxNode } from './regex-syntax.js';

/**
 * Required literals, as RE2's prefilter and grep's "must" strings: text without them cannot
 * hold a match, so a fast literal search can skip it and leave the slow linear-time engine only
 * the lines that might match. Computed bottom-up over the parsed pattern:
 * - `exact`: every string the node can match, while that set is small (`a`, `(cmd|ps)\.exe`,
 *   `colou?r`, `[ab]`); concatenation multiplies such sets, alternation unites them;
 * - `sets`: sets of strings such that every match contains a member of each;
 * - `always`: one string every match contains (for a byte search before decoding).
 * A starred part, a class or `.` knows nothing and breaks a run of exact strings.
 */
export interface RequiredLiterals {
  /** Every match contains a member of each set; the most selective set first; maybe none. */
  readonly sets: readonly (readonly string[])[];
  /** Some part is under (?i): `sets` must be searched case-insensitively. */
  readonly isFolded: boolean;
  /** One string every match contains, for a case-sensitive pattern; never with U+FFFD. */
  readonly always: string | undefined;
}

export type LiteralFinder = (text: string, from: number) => number;

/** RE2 keeps exact sets up to 16 strings too; beyond that they are cheaper as requirements. */
const MAX_EXACT = 16;
/** Bounds the work on long literals; a run this long is selective enough. */
const MAX_EXACT_CHARS = 256;
/** Shorter literals occur on most lines of ordinary text: checking each such line would lose. */
const MIN_LITERAL_CHARS = 3;
/**
 * V8 searches an alternation of many unrelated literals slowly (measured on logs, case-folded:
 * 2 → 4.7 GB/s, 16 → 0.4 GB/s, 64 → 0.1 GB/s, when re2js's DFA alone runs at 0.2 GB/s).
 */
const MAX_LITERALS = 16;
/** Past this length a literal is about as selective as a longer one: fewer members win. */
const SELECTIVE_CHARS = 8;
/** Each set beyond the first costs one more pass over a text; a few suffice. */
const MAX_SETS = 4;

type Strings = readonly string[];

interface Info {
  exact: Strings | undefined;
  sets: readonly Strings[];
  always: string | undefined;
}

const NOTHING: Info = { exact: undefined, sets: [], always: undefined };

/** The literals of a pattern re2js compiled, or undefined when it has no usable one. */
export function requiredLiterals(pattern: string): RequiredLiterals | undefined {
  let node: SyntaxNode;
  try {
    node = parseSyntax(pattern);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
  const isFolded = hasFolded(node);
  const info = analyze(node);
  const sets = necessary(info)
    .map((set) => (isFolded ? [...new Map(set.map((s) => [s.toLowerCase(), s])).values()] : set))
    .filter((set) => set.length <= MAX_LITERALS && minLength(set) >= MIN_LITERAL_CHARS)
    .sort(rank)
    .slice(0, MAX_SETS);
  const one = isFolded ? undefined : single(info);
  const always = one === undefined || one.includes('\uFFFD') ? undefined : one;
  return sets.length === 0 && always === undefined ? undefined : { sets, isFolded, always };
}

/**
 * Finds the first index at or after `from` where a member of `set` starts, or -1. A V8 RegExp
 * over escaped literals has no quantifier, so it runs in time linear in the text, and V8
 * searches literals at several GB/s. Under (?i) only ASCII is kept (regex-syntax.ts), whose
 * case orbits (with the Kelvin sign and the long s) V8's `iu` folding shares with RE2.
 */
export function literalFinder(set: Strings, isFolded: boolean): LiteralFinder {
  const escaped = set.map((s) =>
    Array.from(s, (c) => (/^[A-Za-z0-9]$/.test(c) ? c : `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`)).join(''),
  );
  const re = new RegExp(escaped.join('|'), isFolded ? 'giu' : 'gu');
  return (text, from) => {
    re.lastIndex = from;
    return re.exec(text)?.index ?? -1;
  };
}

function analyze(node: SyntaxNode): Info {
  switch (node.kind) {
    case 'char':
      return { ...NOTHING, exact: [node.text] };
    case 'empty':
      return { ...NOTHING, exact: [''] };
    case 'any':
      return NOTHING;
    case 'concat':
      return concat(node.subs.map(analyze));
    case 'alternate':
      return alternate(node.subs.map(analyze));
    case 'repeat': {
      const sub = analyze(node.sub);
      // `x?` is `x|` (exactly); `x*` and `x{0,n}` promise nothing.
      if (node.min === 0)
        return node.max === 1 && sub.exact !== undefined ? { ...NOTHING, exact: unique([...sub.exact, '']) } : NOTHING;
      return { exact: node.max === 1 ? sub.exact : undefined, sets: necessary(sub), always: single(sub) };
    }
  }
}

function concat(subs: readonly Info[]): Info {
  // `run` is the cross product of the current run of exact parts; it is closed (kept as a
  // requirement) when a part is not exact or when the product grows too large.
  let run: Strings = [''];
  let isExact = true;
  const parts: Info[] = [];
  for (const sub of subs) {
    const product = sub.exact === undefined ? undefined : cross(run, sub.exact);
    if (product !== undefined) {
      run = product;
      continue;
    }
    isExact = false;
    parts.push({ ...NOTHING, exact: run });
    run = sub.exact ?? [''];
    if (sub.exact === undefined) parts.push(sub);
  }
  if (isExact) return { ...NOTHING, exact: run };
  parts.push({ ...NOTHING, exact: run });
  return { exact: undefined, sets: parts.flatMap(necessary), always: parts.map(single).reduce(longer, undefined) };
}

function alternate(subs: readonly Info[]): Info {
  const exacts = subs.map((s) => s.exact);
  const union = exacts.every((e) => e !== undefined) ? unique(exacts.flat()) : undefined;
  if (union !== undefined && union.length <= MAX_EXACT) return { ...NOTHING, exact: union };
  // A match may come from any branch: each must bring a set, and the union is required.
  const best = subs.map((sub) => necessary(sub).reduce<Strings | undefined>(better, undefined));
  return { ...NOTHING, sets: best.every((s) => s !== undefined) ? [unique(best.flat())] : [] };
}

/** Every set a member of which each match of the node contains. */
function necessary(info: Info): readonly Strings[] {
  return info.exact === undefined || info.exact.includes('') ? info.sets : [...info.sets, info.exact];
}

/** A string every match of the node contains, the longest known (an exact set's common prefix or suffix). */
function single(info: Info): string | undefined {
  const exact = info.exact ?? [];
  const first = exact[0] ?? '';
  let prefix = first.length;
  let suffix = first.length;
  for (const s of exact) {
    while (!s.startsWith(first.slice(0, prefix))) prefix--;
    while (!s.endsWith(first.slice(first.length - suffix))) suffix--;
  }
  // Never cut a surrogate pair: its half would be encoded as U+FFFD's bytes.
  const head = first.slice(0, prefix).replace(/[\uD800-\uDBFF]$/, '');
  const tail = first.slice(first.length - suffix).replace(/^[\uDC00-\uDFFF]/, '');
  return [info.always, head, tail].reduce((a, b) => longer(a, b === '' ? undefined : b), undefined);
}

function longer(a: string | undefined, b: string | undefined): string | undefined {
  return (b?.length ?? 0) > (a?.length ?? 0) ? b : a;
}

/** Longer shortest member first (fewer false candidates), then fewer members (faster search). */
function rank(a: Strings, b: Strings): number {
  return Math.min(minLength(b), SELECTIVE_CHARS) - Math.min(minLength(a), SELECTIVE_CHARS) || a.length - b.length;
}

function better(a: Strings | undefined, b: Strings | undefined): Strings | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return rank(b, a) < 0 ? b : a;
}

function cross(a: Strings, b: Strings): Strings | undefined {
  if (
    a.length * b.length > MAX_EXACT ||
    Math.max(...a.map((s) => s.length)) + Math.max(...b.map((s) => s.length)) > MAX_EXACT_CHARS
  )
    return undefined;
  return unique(a.flatMap((x) => b.map((y) => x + y)));
}

function unique(strings: Strings): Strings {
  return [...new Set(strings)];
}

function minLength(strings: Strings): number {
  return Math.min(...strings.map((s) => s.length));
}

function hasFolded(node: SyntaxNode): boolean {
  if (node.kind === 'char') return node.isFolded;
  if (node.kind === 'concat' || node.kind === 'alternate') return node.subs.some(hasFolded);
  return node.kind === 'repeat' && hasFolded(node.sub);
}
