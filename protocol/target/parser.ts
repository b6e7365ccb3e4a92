import { MAP_FIELDS, MAX_TARGET_DEPTH, MAX_TARGET_LENGTH, PLAIN_FIELDS, isMapField, isPlainField } from './ast.js';
import type { CompareOp, FieldRef, Literal, TargetExpr } from './ast.js';
import { TargetError } from './errors.js';
import { column, describeToken, tokenize, type Token } from './lexer.js';
import { likePatternProblem } from './like.js';

// Words that can never be a field, so `not and` fails with "expected a field" rather than "unknown field".
const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'ilike', 'in', 'true', 'false', 'all']);
const VALID_FIELDS = [...PLAIN_FIELDS, ...MAP_FIELDS.map((m) => `${m}->>'key'`)].join(', ');
// Heartbeats are compared as instants, so the literal must be one; a typo should fail loudly, not match nothing.
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses a target (a SQL-WHERE subset). Precedence, loosest first: `or`, `and`, `not`, then
 * comparisons. Throws `TargetError` with the column and what was expected.
 */
export function parseTarget(src: string): TargetExpr {
  if (src.length > MAX_TARGET_LENGTH) {
    throw new TargetError(
      'TARGET_PARSE',
      `target: longer than ${MAX_TARGET_LENGTH} characters (got ${src.length})`,
      MAX_TARGET_LENGTH,
    );
  }
  const parser = new Parser(tokenize(src));
  if (parser.peek().type === 'eof') {
    parser.fail("an expression (write 'all' to target every agent)", 'at the start');
  }
  const expr = parser.parseOr();
  if (parser.peek().type !== 'eof') parser.fail("'and', 'or' or end of input", 'after a complete expression');
  return expr;
}

class Parser {
  private index = 0;
  private depth = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token {
    // tokenize always ends with eof, and we never advance past it.
    return this.tokens[this.index] ?? { type: 'eof', pos: 0 };
  }

  private next(): Token {
    const tok = this.peek();
    if (tok.type !== 'eof') this.index++;
    return tok;
  }

  private isKeyword(tok: Token, keyword: string): boolean {
    return tok.type === 'word' && tok.text.toLowerCase() === keyword;
  }

  private acceptKeyword(keyword: string): boolean {
    if (!this.isKeyword(this.peek(), keyword)) return false;
    this.index++;
    return true;
  }

  private acceptPunct(text: '(' | ')' | ','): boolean {
    const tok = this.peek();
    if (tok.type !== 'punct' || tok.text !== text) return false;
    this.index++;
    return true;
  }

  fail(expected: string, where: string): never {
    const tok = this.peek();
    throw new TargetError(
      'TARGET_PARSE',
      `target: expected ${expected} ${where} at column ${column(tok.pos)}, got ${describeToken(tok)}`,
      tok.pos,
    );
  }

  parseOr(): TargetExpr {
    const terms = [this.parseAnd()];
    while (this.acceptKeyword('or')) terms.push(this.parseAnd());
    return terms.length === 1 && terms[0] ? terms[0] : { kind: 'or', terms };
  }

  private parseAnd(): TargetExpr {
    const terms = [this.parseNot()];
    while (this.acceptKeyword('and')) terms.push(this.parseNot());
    return terms.length === 1 && terms[0] ? terms[0] : { kind: 'and', terms };
  }

  private parseNot(): TargetExpr {
    if (!this.acceptKeyword('not')) return this.parsePrimary();
    this.enter();
    const expr = this.parseNot();
    this.depth--;
    return { kind: 'not', expr };
  }

  /** Counts nesting so an attacker cannot overflow the stack with `((((...` or `not not not ...`. */
  private enter(): void {
    this.depth++;
    if (this.depth > MAX_TARGET_DEPTH) {
      const pos = this.peek().pos;
      throw new TargetError(
        'TARGET_PARSE',
        `target: nested deeper than ${MAX_TARGET_DEPTH} levels at column ${column(pos)}`,
        pos,
      );
    }
  }

  private parsePrimary(): TargetExpr {
    if (this.acceptPunct('(')) {
      this.enter();
      const expr = this.parseOr();
      if (!this.acceptPunct(')')) this.fail("')'", 'to close the parenthesis');
      this.depth--;
      return expr;
    }
    const tok = this.peek();
    if (this.acceptKeyword('all')) return { kind: 'all' };
    if (tok.type !== 'word' || KEYWORDS.has(tok.text.toLowerCase())) {
      this.fail("a field, 'not', '(' or 'all'", 'here');
    }
    const name = tok.text.toLowerCase();
    const after = this.tokens[this.index + 1];
    if ((name === 'found' || name === 'notfound') && after?.type === 'punct' && after.text === '(') {
      this.index += 2;
      return { kind: name, actionId: this.parseActionId(name) };
    }
    return this.parsePredicate(this.parseField());
  }

  /** Consumes a string literal or fails saying what was expected there. */
  private expectString(expected: string, where: string): { value: string; pos: number } {
    const tok = this.peek();
    if (tok.type !== 'string') this.fail(expected, where);
    this.index++;
    return tok;
  }

  private parseActionId(fn: string): string {
    const tok = this.peek();
    if (tok.type !== 'string' || tok.value === '') this.fail('a quoted, non-empty action id', `after '${fn}('`);
    this.index++;
    if (!this.acceptPunct(')')) this.fail("')'", `after the action id of '${fn}'`);
    return tok.value;
  }

  private parseField(): FieldRef {
    const tok = this.next();
    const raw = tok.type === 'word' ? tok.text : '';
    // MIG's queries name the table: `agents.queueloc`.
    const name = raw.toLowerCase().replace(/^agents\./, '');
    if (isMapField(name)) {
      const arrow = this.peek();
      if (arrow.type !== 'op' || arrow.text !== '->>') this.fail("->>'key'", `after '${raw}'`);
      this.index++;
      const key = this.expectString('a quoted key', `after '${raw}->>'`);
      return { kind: 'map', map: name, key: key.value };
    }
    if (isPlainField(name)) return { kind: 'field', name };
    throw new TargetError(
      'TARGET_UNKNOWN_FIELD',
      `target: unknown field '${raw}' at column ${column(tok.pos)}; valid fields: ${VALID_FIELDS}`,
      tok.pos,
    );
  }

  private parsePredicate(field: FieldRef): TargetExpr {
    const tok = this.peek();
    if (tok.type === 'op' && tok.text !== '->>') {
      this.index++;
      const op: CompareOp = tok.text === '<>' ? '!=' : tok.text;
      return { kind: 'compare', field, op, value: this.parseLiteral(field, `after '${tok.text}'`) };
    }
    const isNegated = this.acceptKeyword('not');
    const isCaseInsensitive = this.acceptKeyword('ilike');
    if (isCaseInsensitive || this.acceptKeyword('like')) {
      return { kind: 'like', field, pattern: this.parsePattern(), isCaseInsensitive, isNegated };
    }
    if (this.acceptKeyword('in')) return { kind: 'in', field, values: this.parseList(field), isNegated };
    if (isNegated) this.fail("'like', 'ilike' or 'in'", "after 'not'");
    this.fail('an operator (=, !=, <>, <, >, <=, >=, like, ilike, in)', 'after the field');
  }

  private parsePattern(): string {
    const tok = this.expectString('a quoted pattern', 'after like');
    const problem = likePatternProblem(tok.value);
    if (problem !== undefined) {
      throw new TargetError(
        'TARGET_PARSE',
        `target: bad like pattern at column ${column(tok.pos)}: ${problem}`,
        tok.pos,
      );
    }
    return tok.value;
  }

  private parseList(field: FieldRef): Literal[] {
    if (!this.acceptPunct('(')) this.fail("'('", "after 'in'");
    const values = [this.parseLiteral(field, "after '('")];
    while (this.acceptPunct(',')) values.push(this.parseLiteral(field, "after ','"));
    if (!this.acceptPunct(')')) this.fail("',' or ')'", 'in the list');
    return values;
  }

  private parseLiteral(field: FieldRef, where: string): Literal {
    const tok = this.peek();
    let value: Literal | undefined;
    if (tok.type === 'string' || tok.type === 'number') value = tok.value;
    else if (this.isKeyword(tok, 'true')) value = true;
    else if (this.isKeyword(tok, 'false')) value = false;
    if (value === undefined) this.fail('a value', where);
    if (
      field.kind === 'field' &&
      field.name === 'heartbeat' &&
      !(typeof value === 'string' && ISO_TIMESTAMP.test(value))
    ) {
      this.fail("an ISO 8601 timestamp such as '2024-05-01T12:00:00Z'", `${where} for heartbeat`);
    }
    this.index++;
    return value;
  }
}
