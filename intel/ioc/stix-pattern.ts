/**
 * A parser for STIX 2.1 patterning (the indicator `pattern` of `pattern_type: stix`), enough to
 * tell what a pattern asks: observation expressions joined by AND, OR and FOLLOWEDBY, with
 * qualifiers, each holding comparisons joined by AND and OR. Values are strings, numbers,
 * booleans, t'…', h'…', b'…' and ( … ) lists. Errors say where the pattern stopped making sense.
 */

export type Comparison =
  | { type: 'cmp'; path: string; op: string; negated: boolean; values: string[] }
  | { type: 'any'; items: Comparison[] }
  | { type: 'all'; items: Comparison[] };

export type Observation =
  | { type: 'unit'; comparison: Comparison }
  | { type: 'or'; items: Observation[] }
  | { type: 'and'; items: Observation[] }
  | { type: 'followedby'; items: Observation[] }
  | { type: 'qualified'; inner: Observation; qualifier: string };

interface Token {
  kind: 'punct' | 'word' | 'string' | 'number' | 'path';
  text: string;
  at: number;
}

const OPERATORS = new Set([
  '=',
  '!=',
  '<>',
  '<',
  '<=',
  '>',
  '>=',
  'IN',
  'LIKE',
  'MATCHES',
  'ISSUBSET',
  'ISSUPERSET',
  'EXISTS',
]);
const QUALIFIERS = new Set(['WITHIN', 'REPEATS', 'START']);
const PATH = /[a-z0-9_-]+:(?:[a-z0-9_]+|'(?:[^'\\]|\\.)*')(?:\.(?:[a-z0-9_]+|'(?:[^'\\]|\\.)*')|\[(?:\d+|\*)\])*/iy;
const STRING = /([thb]?)'((?:[^'\\]|\\.)*)'/y;
const NUMBER = /-?\d+(?:\.\d+)?/y;
const WORD = /[A-Za-z]+/y;
const PUNCT = /<=|>=|!=|<>|[[\]()=<>,]/y;

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const sticky = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = at;
    return re.exec(pattern);
  };
  while (at < pattern.length) {
    if (/\s/.test(pattern[at] ?? '')) {
      at += 1;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = sticky(STRING)) !== null) tokens.push({ kind: 'string', text: (m[2] ?? '').replace(/\\(.)/g, '$1'), at });
    else if ((m = sticky(PATH)) !== null) tokens.push({ kind: 'path', text: m[0], at });
    else if ((m = sticky(NUMBER)) !== null) tokens.push({ kind: 'number', text: m[0], at });
    else if ((m = sticky(WORD)) !== null) tokens.push({ kind: 'word', text: m[0].toUpperCase(), at });
    else if ((m = sticky(PUNCT)) !== null) tokens.push({ kind: 'punct', text: m[0], at });
    else throw new Error(`unexpected ${JSON.stringify(pattern[at])} at column ${at + 1}`);
    at += m[0].length;
  }
  return tokens;
}

class Parser {
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  parse(): Observation {
    const obs = this.observationOr();
    if (this.peek() !== undefined) this.fail('end of pattern');
    return obs;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isAt(text: string): boolean {
    const t = this.peek();
    return t !== undefined && (t.kind === 'punct' || t.kind === 'word') && t.text === text;
  }

  private expect(text: string): void {
    if (!this.isAt(text)) this.fail(`"${text}"`);
    this.i += 1;
  }

  private fail(wanted: string): never {
    const t = this.peek();
    throw new Error(
      `expected ${wanted} at column ${(t?.at ?? this.length) + 1}, got ${t === undefined ? 'the end' : JSON.stringify(t.text)}`,
    );
  }

  private joined<T>(word: string, next: () => T, make: (items: T[]) => T): T {
    const items = [next()];
    while (this.isAt(word)) {
      this.i += 1;
      items.push(next());
    }
    return items.length === 1 ? (items[0] as T) : make(items);
  }

  // Alike on purpose (duplicates): one method a precedence level of the STIX grammar, each handing
  // its own operator and node to `joined`; they share their shape, not logic.
  private observationOr(): Observation {
    return this.joined(
      'OR',
      () => this.observationAnd(),
      (items) => ({ type: 'or', items }),
    );
  }

  private observationAnd(): Observation {
    return this.joined(
      'AND',
      () => this.observationSequence(),
      (items) => ({ type: 'and', items }),
    );
  }

  private observationSequence(): Observation {
    return this.joined(
      'FOLLOWEDBY',
      () => this.observationQualified(),
      (items) => ({ type: 'followedby', items }),
    );
  }

  private observationQualified(): Observation {
    let obs = this.observationUnit();
    for (;;) {
      const t = this.peek();
      if (t === undefined || t.kind !== 'word' || !QUALIFIERS.has(t.text)) return obs;
      const start = this.i;
      this.i += 1;
      // WITHIN n SECONDS, REPEATS n TIMES, START t'…' STOP t'…': consumed, kept as text.
      while (
        this.peek() !== undefined &&
        !this.isAt(')') &&
        !this.isAt('AND') &&
        !this.isAt('OR') &&
        !this.isAt('FOLLOWEDBY') &&
        !QUALIFIERS.has(this.peek()?.text ?? '')
      )
        this.i += 1;
      obs = {
        type: 'qualified',
        inner: obs,
        qualifier: this.tokens
          .slice(start, this.i)
          .map((x) => x.text)
          .join(' '),
      };
    }
  }

  private observationUnit(): Observation {
    if (this.isAt('(')) {
      this.i += 1;
      const inner = this.observationOr();
      this.expect(')');
      return inner;
    }
    this.expect('[');
    const comparison = this.comparisonOr();
    this.expect(']');
    return { type: 'unit', comparison };
  }

  private comparisonOr(): Comparison {
    return this.joined(
      'OR',
      () => this.comparisonAnd(),
      (items) => ({ type: 'any', items }),
    );
  }

  private comparisonAnd(): Comparison {
    return this.joined(
      'AND',
      () => this.comparisonTerm(),
      (items) => ({ type: 'all', items }),
    );
  }

  private comparisonTerm(): Comparison {
    if (this.isAt('(')) {
      this.i += 1;
      const inner = this.comparisonOr();
      this.expect(')');
      return inner;
    }
    const path = this.peek();
    if (path?.kind !== 'path') this.fail('an object path such as file:name');
    this.i += 1;
    let negated = false;
    if (this.isAt('NOT')) {
      negated = true;
      this.i += 1;
    }
    const op = this.peek();
    if (op === undefined || !OPERATORS.has(op.text))
      this.fail('a comparison operator (=, !=, IN, LIKE, MATCHES, ISSUBSET…)');
    this.i += 1;
    return { type: 'cmp', path: path.text, op: op.text, negated, values: this.values() };
  }

  private values(): string[] {
    if (this.isAt('(')) {
      this.i += 1;
      const values = [this.value()];
      while (this.isAt(',')) {
        this.i += 1;
        values.push(this.value());
      }
      this.expect(')');
      return values;
    }
    return [this.value()];
  }

  private value(): string {
    const t = this.peek();
    if (
      t === undefined ||
      !(t.kind === 'string' || t.kind === 'number' || (t.kind === 'word' && (t.text === 'TRUE' || t.text === 'FALSE')))
    )
      this.fail('a value');
    this.i += 1;
    return t.text;
  }
}

export function parseStixPattern(pattern: string): Observation {
  return new Parser(tokenize(pattern), pattern.length).parse();
}
