import { TargetError } from './errors.js';

/** One lexical token; `pos` is the 0-based offset of its first character. */
export type Token =
  | { type: 'word'; text: string; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'number'; value: number; text: string; pos: number }
  | { type: 'op'; text: Operator; pos: number }
  | { type: 'punct'; text: '(' | ')' | ','; pos: number }
  | { type: 'eof'; pos: number };

export type Operator = '=' | '!=' | '<>' | '<' | '>' | '<=' | '>=' | '->>';

// Longest first, so `<=` is not read as `<` then `=`.
const OPERATORS: readonly Operator[] = ['->>', '!=', '<>', '<=', '>=', '=', '<', '>'];

// Identifiers may contain dots so MIG's `agents.queueloc` arrives as one word.
const WORD = /[A-Za-z_][A-Za-z0-9_.]*/y;
// No exponents or hex: versions and counts are all a target needs, and fewer forms mean fewer surprises.
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?/y;

export function column(pos: number): number {
  return pos + 1;
}

/** Splits a target into tokens, always ending with one `eof` token. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < src.length) {
    const ch = src.charAt(pos);
    if (/\s/.test(ch)) {
      pos++;
      continue;
    }
    if (ch === "'") {
      const { value, end } = readString(src, pos);
      tokens.push({ type: 'string', value, pos });
      pos = end;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ type: 'punct', text: ch, pos });
      pos++;
      continue;
    }
    const word = matchAt(WORD, src, pos);
    if (word !== undefined) {
      tokens.push({ type: 'word', text: word, pos });
      pos += word.length;
      continue;
    }
    const num = matchAt(NUMBER, src, pos);
    if (num !== undefined) {
      // formatTarget writes String(value); a value that prints in exponent form could not be read back.
      if (/e/i.test(String(Number(num)))) {
        throw new TargetError(
          'TARGET_PARSE',
          `target: number ${num} at column ${column(pos)} is too large or too precise; quote it as a string`,
          pos,
        );
      }
      tokens.push({ type: 'number', value: Number(num), text: num, pos });
      pos += num.length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, pos));
    if (op !== undefined) {
      tokens.push({ type: 'op', text: op, pos });
      pos += op.length;
      continue;
    }
    throw unexpectedChar(src, pos);
  }
  tokens.push({ type: 'eof', pos: src.length });
  return tokens;
}

function matchAt(re: RegExp, src: string, pos: number): string | undefined {
  re.lastIndex = pos;
  const m = re.exec(src);
  return m?.[0];
}

/** Reads a SQL string literal starting at the opening quote; `''` stands for one quote. */
function readString(src: string, start: number): { value: string; end: number } {
  let value = '';
  let pos = start + 1;
  for (;;) {
    const close = src.indexOf("'", pos);
    if (close < 0) {
      throw new TargetError(
        'TARGET_PARSE',
        `target: unterminated string starting at column ${column(start)}; close it with ' (write '' for a quote inside)`,
        start,
      );
    }
    value += src.slice(pos, close);
    if (src.charAt(close + 1) !== "'") return { value, end: close + 1 };
    value += "'";
    pos = close + 2;
  }
}

function unexpectedChar(src: string, pos: number): TargetError {
  const ch = String.fromCodePoint(src.codePointAt(pos) ?? 0);
  // Hints for what people coming from SQL or MIG most often type.
  const hint =
    ch === '"'
      ? '; strings use single quotes'
      : src.startsWith('::', pos)
        ? '; casts are not supported'
        : src.startsWith('->', pos)
          ? "; use ->> to read a key, e.g. environment->>'os'"
          : '';
  return new TargetError('TARGET_PARSE', `target: unexpected character '${ch}' at column ${column(pos)}${hint}`, pos);
}

/** How a token reads in an error message: "end of input", "'and'", "string 'x'". */
export function describeToken(tok: Token): string {
  switch (tok.type) {
    case 'eof':
      return 'end of input';
    case 'string':
      return `string '${tok.value.length > 20 ? `${tok.value.slice(0, 20)}…` : tok.value}'`;
    case 'number':
      return `number ${tok.text}`;
    default:
      return `'${tok.text}'`;
  }
}
