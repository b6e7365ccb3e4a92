/**
 * Rewrites the anchors of a valid RE2 pattern so that, run over many lines at once, it matches
 * wherever it would match one of those lines alone: `^`/`\A` become "start of a line" and
 * `$`/`\z` become "end of a line, before an optional '\r'" (MIG read lines with bufio.ScanLines,
 * which drops the '\r' of '\r\n'). The flag groups `(?m:...)` make this independent of any
 * flags the investigator set. The result can match *more* than the lines do (a negated class or
 * `\s` can cross a '\n'), never less, so every hit is re-checked on its own line.
 */
export function toChunkPattern(source: string): string {
  let out = '';
  for (const token of tokens(source)) {
    if (token === '^' || token === '\\A') out += '(?m:^)';
    else if (token === '$' || token === '\\z') out += '(?m:\\r?$)';
    else out += token;
  }
  return out;
}

/**
 * Whether a line-start or word-boundary assertion comes after an end anchor (`$^`, `.\z\b`):
 * there the chunk form, whose `$` steps over a '\r', is *not* an over-approximation on '\r\n'
 * text ('\r' is neither a line start nor a word character). Source order is a safe superset of
 * "follows in some match" (`a$|^b` is flagged too; it then just gets no chunk search on CRLF).
 */
export function isCrlfSensitive(source: string): boolean {
  let isAfterEnd = false;
  for (const token of tokens(source)) {
    if (token === '$' || token === '\\z') isAfterEnd = true;
    else if (isAfterEnd && (token === '^' || token === '\\A' || token === '\\b')) return true;
  }
  return false;
}

/** The pattern's tokens: whole escapes, whole classes, single characters otherwise. */
export function* tokens(source: string): Generator<string> {
  for (let i = 0; i < source.length;) {
    const ch = source[i];
    const next = ch === '\\' ? escapeEnd(source, i) : ch === '[' ? classEnd(source, i) : i + 1;
    yield source.slice(i, next);
    i = next;
  }
}

/** Index just past the escape starting at source[i] === '\\'. */
function escapeEnd(source: string, i: number): number {
  const ch = source[i + 1];
  if (ch === 'Q') {
    // \Q...\E quotes everything up to \E (or the end): anchors inside are literal characters.
    const end = source.indexOf('\\E', i + 2);
    return end < 0 ? source.length : end + 2;
  }
  if ((ch === 'p' || ch === 'P' || ch === 'x') && source[i + 2] === '{') {
    const close = source.indexOf('}', i + 3);
    return close < 0 ? source.length : close + 1;
  }
  return Math.min(i + 2, source.length);
}

/** Index just past the character class starting at source[i] === '['. */
function classEnd(source: string, i: number): number {
  let j = i + 1;
  if (source[j] === '^') j++;
  // A ']' right after '[' or '[^' is a literal member.
  if (source[j] === ']') j++;
  while (j < source.length && source[j] !== ']') {
    if (source[j] === '\\') j = escapeEnd(source, j);
    else if (source.startsWith('[:', j)) {
      const close = source.indexOf(':]', j + 2);
      j = close < 0 ? source.length : close + 2;
    } else j++;
  }
  return Math.min(j + 1, source.length);
}
