import type { LiteralFinder } from './literals.js';
import { tokens } from './regex-anchors.js';
import { MAX_V8_STEPS, toJsForm } from './regex-js.js';

/**
 * A prefilter for re2js patterns without a required literal (`[0-9]{6,}`, `[a-f0-9]{16,}\.dll`
 * under (?i), `\d+-\d+-\d+x`): a piece of the pattern that every match contains, contiguous,
 * in the linear-time subset V8 runs (regex-js.ts). V8 finds it at hundreds of MB/s where re2js's
 * DFA runs at ~170 MB/s (measured on logs), and a run of lines without it cannot match: only
 * the lines holding it are left to re2js, as with literals (regex.ts `prefiltered`).
 *
 * The piece. For a pattern that is one sequence of atoms (a character, a class, `.`, an
 * escape), each maybe repeated, every match is the atoms' matches side by side. A run of atoms
 * repeated a fixed number of times (`x`, `x{3}`) is matched contiguously in every match, and so
 * is the run with `x{n}` added for a variable repeat `x{n,m}` / `x+` (n = 1) just before or after
 * it: the repeat's nearest n characters touch the run. A variable repeat cannot sit *inside* a
 * piece (`ab+c` matches "abbc", which holds no "abc"). Groups, alternation, assertions and flags
 * other than a leading (?i) are left alone (no piece): then re2js runs unaided, as before.
 */

/** A piece shorter than this many characters is on most lines of text: no use as a filter. */
const MIN_STEPS = 4;

export interface Item {
  atom: string;
  min: number;
  max: number;
}

/** An assertion matches no character: it ends a piece (which then matches a superset, never less). */
const BREAK: Item = { atom: '', min: 0, max: 0 };
const ASSERTIONS = new Set(['^', '$', '\\A', '\\z', '\\b', '\\B']);

/** The pattern's atoms with their repeat counts, or undefined for anything else. */
function items(source: string): Item[] | undefined {
  const out: Item[] = [];
  const list = [...tokens(source)];
  for (let i = 0; i < list.length; i++) {
    const token = list[i] as string;
    if (ASSERTIONS.has(token)) {
      out.push(BREAK);
      continue;
    }
    if ('()|'.includes(token) || /^\\[pPQE1-9]/.test(token)) return undefined;
    if ('*+?'.includes(token)) {
      const last = out.at(-1);
      if (last === undefined || last === BREAK || last.min !== 1 || last.max !== 1) return undefined; // `a**`, `^*`: leave to re2js
      if (token === '*') last.min = 0;
      if (token !== '?') last.max = Number.POSITIVE_INFINITY;
      if (token === '?') last.min = 0;
      if (list[i + 1] === '?') i++; // lazy: the same strings match
      continue;
    }
    if (token === '{') {
      const rest = list.slice(i).join('');
      const count = /^\{(\d+)(,(\d*))?\}/.exec(rest);
      const last = out.at(-1);
      if (count === null || last === undefined || last === BREAK || last.min !== 1 || last.max !== 1) return undefined;
      last.min = Number(count[1]);
      last.max = count[2] === undefined ? last.min : count[3] === '' ? Number.POSITIVE_INFINITY : Number(count[3]);
      i += count[0].length - 1;
      if (list[i + 1] === '?') i++;
      continue;
    }
    if (token === '}') return undefined;
    out.push({ atom: token, min: 1, max: 1 });
  }
  return out;
}

/**
 * The longest piece (in steps, capped at MAX_V8_STEPS), as RE2 source and as its atoms with
 * their fixed counts (class-run.ts looks at those), or undefined.
 */
export function requiredFragment(
  pattern: string,
): { source: string; isFolded: boolean; items: readonly Item[] } | undefined {
  const isFolded = pattern.startsWith('(?i)');
  const list = items(isFolded ? pattern.slice(4) : pattern);
  if (list === undefined) return undefined;
  let best: Item[] = [];
  let run: Item[] = [];
  const steps = (r: readonly Item[]): number => r.reduce((n, it) => n + it.min, 0);
  const close = (): void => {
    // Any contiguous part of a piece is a piece too: cut a long one to V8's step budget.
    for (let excess = steps(run) - MAX_V8_STEPS; excess > 0; excess = steps(run) - MAX_V8_STEPS) {
      const first = run[0] as Item;
      run =
        first.min > excess
          ? [{ ...first, min: first.min - excess, max: first.min - excess }, ...run.slice(1)]
          : run.slice(1);
    }
    if (steps(run) > steps(best)) best = run;
  };
  for (const item of list) {
    if (item === BREAK) {
      close();
      run = [];
      continue;
    }
    if (item.min === item.max) {
      run.push(item);
      continue;
    }
    const edge = item.min > 0 ? [{ atom: item.atom, min: item.min, max: item.min }] : [];
    run.push(...edge);
    close();
    run = [...edge];
  }
  close();
  if (steps(best) < MIN_STEPS) return undefined;
  const source = best.map((it) => (it.min === 1 ? it.atom : `${it.atom}{${it.min}}`)).join('');
  return { source: isFolded ? `(?i)${source}` : source, isFolded, items: best };
}

/** A finder of the piece (V8, linear), or undefined when the pattern has none. */
export function fragmentFinder(pattern: string): LiteralFinder | undefined {
  const fragment = requiredFragment(pattern);
  const form = fragment === undefined ? undefined : toJsForm(fragment.source);
  if (form === undefined) return undefined;
  let re: RegExp;
  try {
    re = new RegExp(form.source, `${form.flags}g`);
  } catch {
    return undefined;
  }
  return (text, from) => {
    re.lastIndex = from;
    return re.exec(text)?.index ?? -1;
  };
}
