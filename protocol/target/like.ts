/**
 * SQL LIKE matching without regular expressions. Patterns come from signed but still
 * attacker-controllable targets, and a RegExp built from `%a%a%a…b` backtracks polynomially;
 * this matcher never backtracks across a `%`, so it costs at most O(text × pattern).
 *
 * Semantics follow PostgreSQL: `%` matches any run of characters, `_` exactly one character
 * (a code point, not a UTF-16 unit), and `\` (the default escape) makes the next character
 * literal. Every other character, regex metacharacters included, matches only itself.
 */

/** One pattern position: a literal character, or `undefined` for `_`. */
type Segment = ReadonlyArray<string | undefined>;

/** Why a pattern is invalid, or undefined when it is fine. Mirrors PostgreSQL's own check. */
export function likePatternProblem(pattern: string): string | undefined {
  let trailing = 0;
  for (let i = pattern.length - 1; i >= 0 && pattern[i] === '\\'; i--) trailing++;
  if (trailing % 2 === 1) return 'it ends with the escape character \\; write \\\\ for a literal backslash';
  return undefined;
}

/** Splits a pattern on unescaped `%` into segments of literal characters and `_` slots. */
function compile(pattern: string): Segment[] {
  const segments: Array<Array<string | undefined>> = [[]];
  let current = segments[0] ?? [];
  let isEscaped = false;
  for (const ch of pattern) {
    if (isEscaped) {
      current.push(ch);
      isEscaped = false;
    } else if (ch === '\\') {
      isEscaped = true;
    } else if (ch === '%') {
      current = [];
      segments.push(current);
    } else {
      current.push(ch === '_' ? undefined : ch);
    }
  }
  return segments;
}

function matchesAt(segment: Segment, text: readonly string[], start: number): boolean {
  if (start < 0 || start + segment.length > text.length) return false;
  for (let k = 0; k < segment.length; k++) {
    const want = segment[k];
    if (want !== undefined && text[start + k] !== want) return false;
  }
  return true;
}

/** Does `text` match the whole LIKE `pattern` (anchored at both ends, as in SQL)? */
export function likeMatch(pattern: string, text: string, isCaseInsensitive: boolean): boolean {
  const segments = compile(isCaseInsensitive ? pattern.toLowerCase() : pattern);
  const chars = Array.from(isCaseInsensitive ? text.toLowerCase() : text);
  const first = segments[0] ?? [];
  const last = segments[segments.length - 1] ?? [];
  if (segments.length === 1) return chars.length === first.length && matchesAt(first, chars, 0);

  // The first segment is anchored to the start and the last to the end; they may not overlap.
  const end = chars.length - last.length;
  if (first.length > end || !matchesAt(first, chars, 0) || !matchesAt(last, chars, end)) return false;

  // Middle segments: taking each at its leftmost fit leaves the most room for the rest, so a
  // failure here is final and no earlier choice needs revisiting.
  let pos = first.length;
  for (let s = 1; s < segments.length - 1; s++) {
    const segment = segments[s] ?? [];
    let found = -1;
    for (let i = pos; i + segment.length <= end; i++) {
      if (matchesAt(segment, chars, i)) {
        found = i;
        break;
      }
    }
    if (found < 0) return false;
    pos = found + segment.length;
  }
  return true;
}
