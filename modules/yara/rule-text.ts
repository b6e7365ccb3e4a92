/**
 * A deliberately partial reader of YARA rule text, for one purpose: the literal prefilter
 * (prefilter.ts). YARA-X's WebAssembly build does not expose its parse tree, so this re-reads
 * rules the engine compiled already. It may lose information but must never invent any:
 * whatever it does not recognise throws `NotUnderstood`, and the rules then run without a
 * prefilter (every file goes to the engine, as before).
 */

export class NotUnderstood extends Error {}

export type TokenKind = 'ident' | 'string' | 'regex' | 'number' | 'var' | 'punct';
export interface Token {
  kind: TokenKind;
  text: string;
}

export type StringValue =
  /** A text string's bytes, or undefined when an escape is not one this reader knows. */
  | { kind: 'text'; bytes: readonly number[] | undefined }
  /** A hex string's text between its braces. */
  | { kind: 'hex'; body: string }
  /** A regular expression's pattern (between the slashes, escapes kept) and its flags. */
  | { kind: 'regex'; pattern: string; flags: string };

export interface RuleString {
  /** `$name`, or `$` for an anonymous string. */
  id: string;
  value: StringValue;
  /** Modifier names (nocase, wide, xor...), arguments dropped. */
  modifiers: ReadonlySet<string>;
}

export interface RuleText {
  name: string;
  isPrivate: boolean;
  isGlobal: boolean;
  strings: readonly RuleString[];
  condition: readonly Token[];
}

const TWO_CHAR_PUNCT = new Set(['..', '==', '!=', '<=', '>=', '<<', '>>']);
const ONE_CHAR_PUNCT = new Set([...'()[],:.<>+-*\\%&|^~=']);
const TEXT_ESCAPES: Readonly<Record<string, number>> = { n: 10, r: 13, t: 9, '\\': 92, '"': 34 };

/** The rules of one source, in order. Throws NotUnderstood for anything outside this subset. */
export function readRules(source: string): RuleText[] {
  const lexer = new Lexer(source);
  const rules: RuleText[] = [];
  for (;;) {
    lexer.skipSpace();
    if (lexer.isAtEnd) return rules;
    const word = lexer.ident();
    if (word === 'import' || word === 'include') {
      lexer.skipSpace();
      lexer.quoted();
      continue;
    }
    rules.push(readRule(lexer, word));
  }
}

function readRule(lexer: Lexer, first: string): RuleText {
  let word = first;
  let isPrivate = false;
  let isGlobal = false;
  while (word === 'private' || word === 'global') {
    if (word === 'private') isPrivate = true;
    else isGlobal = true;
    lexer.skipSpace();
    word = lexer.ident();
  }
  if (word !== 'rule') throw new NotUnderstood(`expected 'rule', got '${word}'`);
  lexer.skipSpace();
  const name = lexer.ident();
  lexer.skipSpace();
  if (lexer.take(':')) {
    lexer.skipSpace();
    while (lexer.peek() !== '{') {
      lexer.ident();
      lexer.skipSpace();
    }
  }
  lexer.expect('{');
  let strings: RuleString[] = [];
  let condition: Token[] | undefined;
  for (;;) {
    lexer.skipSpace();
    if (lexer.take('}')) break;
    if (condition !== undefined) throw new NotUnderstood('text after the condition');
    const section = lexer.ident();
    lexer.skipSpace();
    lexer.expect(':');
    if (section === 'meta') readMeta(lexer);
    else if (section === 'strings') strings = readStrings(lexer);
    else if (section === 'condition') condition = readCondition(lexer);
    else throw new NotUnderstood(`unknown section '${section}'`);
  }
  if (condition === undefined) throw new NotUnderstood(`rule ${name} has no condition`);
  return { name, isPrivate, isGlobal, strings, condition };
}

function readMeta(lexer: Lexer): void {
  for (;;) {
    lexer.skipSpace();
    if (lexer.isSectionNext()) return;
    lexer.ident();
    lexer.skipSpace();
    lexer.expect('=');
    lexer.skipSpace();
    if (lexer.peek() === '"') lexer.quoted();
    else {
      lexer.take('-');
      lexer.word();
    }
  }
}

function readStrings(lexer: Lexer): RuleString[] {
  const strings: RuleString[] = [];
  for (;;) {
    lexer.skipSpace();
    if (lexer.peek() !== '$') return strings;
    lexer.expect('$');
    const id = `$${lexer.optionalIdent()}`;
    lexer.skipSpace();
    lexer.expect('=');
    lexer.skipSpace();
    let value: StringValue;
    if (lexer.peek() === '"') value = { kind: 'text', bytes: textBytes(lexer.quoted()) };
    else if (lexer.peek() === '{') value = { kind: 'hex', body: lexer.braces() };
    else if (lexer.peek() === '/') value = { kind: 'regex', ...lexer.regex() };
    else throw new NotUnderstood(`string ${id}: unknown value`);
    const modifiers = new Set<string>();
    for (;;) {
      lexer.skipSpace();
      if (!/[A-Za-z_]/.test(lexer.peek()) || lexer.isSectionNext()) break;
      modifiers.add(lexer.ident());
      if (lexer.peek() === '(') lexer.group();
    }
    strings.push({ id, value, modifiers });
  }
}

/** The condition's tokens, up to the rule's closing brace (left for the caller). */
function readCondition(lexer: Lexer): Token[] {
  const tokens: Token[] = [];
  for (;;) {
    lexer.skipSpace();
    if (lexer.peek() === '}' || lexer.isAtEnd) return tokens;
    tokens.push(lexer.token());
  }
}

/** A text string's bytes (UTF-8 for its characters), undefined for an escape not known here. */
function textBytes(raw: string): number[] | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== '\\') {
      const code = raw.codePointAt(i) ?? 0;
      if (code > 0xffff) i++;
      bytes.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
      continue;
    }
    const e = raw[++i] ?? '';
    const simple = TEXT_ESCAPES[e];
    if (simple !== undefined) bytes.push(simple);
    else if (e === 'x' && /^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else return undefined;
  }
  return bytes;
}

class Lexer {
  private i = 0;

  constructor(private readonly src: string) {}

  get isAtEnd(): boolean {
    return this.i >= this.src.length;
  }

  peek(): string {
    return this.src[this.i] ?? '';
  }

  take(text: string): boolean {
    if (!this.src.startsWith(text, this.i)) return false;
    this.i += text.length;
    return true;
  }

  expect(text: string): void {
    if (!this.take(text)) throw new NotUnderstood(`expected '${text}' at ${this.i}`);
  }

  skipSpace(): void {
    for (;;) {
      if (this.match(/(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/)/y) === undefined) return;
    }
  }

  /** `strings:` or `condition:` is next (a new section, not a modifier or a meta name). */
  isSectionNext(): boolean {
    const re = /(?:strings|condition)\s*:/y;
    re.lastIndex = this.i;
    return re.test(this.src);
  }

  ident(): string {
    const word = this.optionalIdent();
    if (word === '') throw new NotUnderstood(`expected a name at ${this.i}`);
    return word;
  }

  optionalIdent(): string {
    return this.match(/[A-Za-z_][A-Za-z0-9_]*/y) ?? '';
  }

  /** A meta value other than a string: a number or true/false. */
  word(): string {
    const word = this.match(/[A-Za-z0-9_.]+/y);
    if (word === undefined) throw new NotUnderstood(`expected a value at ${this.i}`);
    return word;
  }

  /** A double-quoted string's raw text, escapes kept. */
  quoted(): string {
    const m = this.match(/"((?:[^"\\\n]|\\.)*)"/y);
    if (m === undefined) throw new NotUnderstood(`expected a string at ${this.i}`);
    return m.slice(1, -1);
  }

  /** A hex string's text between its braces (hex strings do not nest braces). */
  braces(): string {
    const end = this.src.indexOf('}', this.i);
    if (end < 0) throw new NotUnderstood('unterminated hex string');
    const body = this.src.slice(this.i + 1, end);
    this.i = end + 1;
    return body;
  }

  regex(): { pattern: string; flags: string } {
    const m = this.match(/\/((?:[^/\\\n]|\\.)+)\/([A-Za-z]*)/y);
    if (m === undefined) throw new NotUnderstood(`expected a regular expression at ${this.i}`);
    const close = m.lastIndexOf('/');
    return { pattern: m.slice(1, close), flags: m.slice(close + 1) };
  }

  /** A modifier's parenthesised arguments (xor(1-255), base64("...")), skipped. */
  group(): void {
    this.expect('(');
    for (;;) {
      this.skipSpace();
      if (this.take(')')) return;
      if (this.peek() === '"') this.quoted();
      else if (this.isAtEnd || this.peek() === '(') throw new NotUnderstood('unterminated modifier arguments');
      else this.i++;
    }
  }

  token(): Token {
    const c = this.peek();
    if (c === '"') return { kind: 'string', text: this.quoted() };
    if (c === '/') {
      const { pattern, flags } = this.regex();
      return { kind: 'regex', text: `/${pattern}/${flags}` };
    }
    const variable = this.match(/[$#@!][A-Za-z0-9_]*\*?/y);
    if (variable !== undefined && !(variable === '!' && this.peek() === '=')) return { kind: 'var', text: variable };
    if (variable === '!') this.i--;
    const number = this.match(/(?:0x[0-9A-Fa-f]+|0o[0-7]+|\d+(?:\.\d+)?(?:KB|MB)?)(?![A-Za-z0-9_])/y);
    if (number !== undefined) return { kind: 'number', text: number };
    const word = this.optionalIdent();
    if (word !== '') return { kind: 'ident', text: word };
    const two = this.src.slice(this.i, this.i + 2);
    if (TWO_CHAR_PUNCT.has(two)) {
      this.i += 2;
      return { kind: 'punct', text: two };
    }
    if (ONE_CHAR_PUNCT.has(c)) {
      this.i++;
      return { kind: 'punct', text: c };
    }
    throw new NotUnderstood(`unexpected '${c}' in a condition`);
  }

  /** `re` is sticky: it matches at the current position only. */
  private match(re: RegExp): string | undefined {
    re.lastIndex = this.i;
    const m = re.exec(this.src);
    if (m === null || m[0] === '') return undefined;
    this.i += m[0].length;
    return m[0];
  }
}
