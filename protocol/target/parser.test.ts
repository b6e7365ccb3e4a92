import { describe, expect, it } from 'vitest';
import { MAX_TARGET_DEPTH, MAX_TARGET_LENGTH, type FieldRef, type Literal, type TargetExpr } from './ast.js';
import { TargetError } from './errors.js';
import { parseTarget } from './parser.js';

const f = (name: 'id' | 'name' | 'os' | 'mode' | 'version' | 'heartbeat' | 'queueloc'): FieldRef => ({
  kind: 'field',
  name,
});
const env = (key: string): FieldRef => ({ kind: 'map', map: 'environment', key });
const cmp = (field: FieldRef, op: '=' | '!=' | '<' | '>' | '<=' | '>=', value: Literal): TargetExpr => ({
  kind: 'compare',
  field,
  op,
  value,
});
const osIs = (value: string): TargetExpr => cmp(f('os'), '=', value);

describe('parseTarget', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the table's.
  it.each<{ name: string; input: string; want: TargetExpr }>([
    { name: '=', input: "os = 'linux'", want: osIs('linux') },
    { name: '!=', input: "os != 'linux'", want: cmp(f('os'), '!=', 'linux') },
    { name: '<> is !=', input: "os<>'linux'", want: cmp(f('os'), '!=', 'linux') },
    { name: '<', input: 'version < 3', want: cmp(f('version'), '<', 3) },
    { name: '>', input: 'version > -2.5', want: cmp(f('version'), '>', -2.5) },
    { name: '<=', input: "version <= '1.2'", want: cmp(f('version'), '<=', '1.2') },
    { name: '>=', input: 'version>=10', want: cmp(f('version'), '>=', 10) },
    {
      name: 'true literal',
      input: "tags->>'prod' = TRUE",
      want: cmp({ kind: 'map', map: 'tags', key: 'prod' }, '=', true),
    },
    {
      name: 'false literal',
      input: "tags->>'prod' = false",
      want: cmp({ kind: 'map', map: 'tags', key: 'prod' }, '=', false),
    },
    { name: "'' escape", input: "name = 'o''brien'", want: cmp(f('name'), '=', "o'brien") },
    { name: 'environment key', input: "environment->>'ident' = 'x'", want: cmp(env('ident'), '=', 'x') },
    { name: 'agents. prefix', input: "agents.queueloc = 'q'", want: cmp(f('queueloc'), '=', 'q') },
    { name: 'fields are case-insensitive', input: "NAME = 'Web'", want: cmp(f('name'), '=', 'Web') },
    // Alike on purpose (duplicates): like, ilike, not like, not ilike: one row per operator spelling with the tree it
    // parses to; the four trees differ in two flags, which is what is tested.
    {
      name: 'like',
      input: "name LIKE 'web%'",
      want: { kind: 'like', field: f('name'), pattern: 'web%', isCaseInsensitive: false, isNegated: false },
    },
    {
      name: 'ilike',
      input: "name iLike 'web%'",
      want: { kind: 'like', field: f('name'), pattern: 'web%', isCaseInsensitive: true, isNegated: false },
    },
    {
      name: 'not like',
      input: "name not like 'web%'",
      want: { kind: 'like', field: f('name'), pattern: 'web%', isCaseInsensitive: false, isNegated: true },
    },
    {
      name: 'not ilike',
      input: "name NOT ILIKE 'web%'",
      want: { kind: 'like', field: f('name'), pattern: 'web%', isCaseInsensitive: true, isNegated: true },
    },
    {
      name: 'in',
      input: "os in ('linux', 'darwin')",
      want: { kind: 'in', field: f('os'), values: ['linux', 'darwin'], isNegated: false },
    },
    {
      name: 'not in, mixed literals',
      input: "version NOT IN (1, '2', true)",
      want: { kind: 'in', field: f('version'), values: [1, '2', true], isNegated: true },
    },
    { name: 'found', input: "found('a1b2')", want: { kind: 'found', actionId: 'a1b2' } },
    { name: 'notfound', input: "NotFound ( 'a1b2' )", want: { kind: 'notfound', actionId: 'a1b2' } },
    { name: 'all', input: ' ALL ', want: { kind: 'all' } },
    {
      name: 'heartbeat takes a timestamp',
      input: "heartbeat > '2024-05-01T12:00:00Z'",
      want: cmp(f('heartbeat'), '>', '2024-05-01T12:00:00Z'),
    },
  ])('operator: $name', ({ input, want }) => {
    expect(parseTarget(input)).toEqual(want);
  });

  it.each<{ name: string; input: string; want: TargetExpr }>([
    {
      name: 'and binds tighter than or',
      input: "os='a' or os='b' and os='c'",
      want: { kind: 'or', terms: [osIs('a'), { kind: 'and', terms: [osIs('b'), osIs('c')] }] },
    },
    {
      name: 'and binds tighter than or (left)',
      input: "os='a' and os='b' or os='c'",
      want: { kind: 'or', terms: [{ kind: 'and', terms: [osIs('a'), osIs('b')] }, osIs('c')] },
    },
    {
      name: 'not binds tighter than and',
      input: "not os='a' and os='b'",
      want: { kind: 'and', terms: [{ kind: 'not', expr: osIs('a') }, osIs('b')] },
    },
    {
      name: 'parentheses override',
      input: "(os='a' or os='b') and os='c'",
      want: { kind: 'and', terms: [{ kind: 'or', terms: [osIs('a'), osIs('b')] }, osIs('c')] },
    },
    {
      name: 'not of a group',
      input: "NOT (os='a' OR os='b')",
      want: { kind: 'not', expr: { kind: 'or', terms: [osIs('a'), osIs('b')] } },
    },
    {
      name: 'chains are n-ary',
      input: "os='a' and os='b' and os='c'",
      want: { kind: 'and', terms: [osIs('a'), osIs('b'), osIs('c')] },
    },
    { name: 'double not', input: "not not os='a'", want: { kind: 'not', expr: { kind: 'not', expr: osIs('a') } } },
  ])('precedence: $name', ({ input, want }) => {
    expect(parseTarget(input)).toEqual(want);
  });

  it.each([
    {
      name: 'empty',
      input: '',
      wantCode: 'TARGET_PARSE',
      wantMessage: "expected an expression (write 'all'",
      wantPosition: 0,
    },
    {
      name: 'value missing',
      input: "os = 'a' and id =",
      wantCode: 'TARGET_PARSE',
      wantMessage: "target: expected a value after '=' at column 18, got end of input",
      wantPosition: 17,
    },
    {
      name: 'unknown field',
      input: "hostname = 'x'",
      wantCode: 'TARGET_UNKNOWN_FIELD',
      wantMessage: "unknown field 'hostname' at column 1; valid fields: id, name, os",
      wantPosition: 0,
    },
    {
      name: 'unknown dotted field',
      input: "os='a' and commands.status='x'",
      wantCode: 'TARGET_UNKNOWN_FIELD',
      wantMessage: "'commands.status' at column 12",
      wantPosition: 11,
    },
    {
      name: 'map without key',
      input: "environment = 'x'",
      wantCode: 'TARGET_PARSE',
      wantMessage: "expected ->>'key' after 'environment' at column 13, got '='",
      wantPosition: 12,
    },
    {
      name: 'map key not quoted',
      input: 'tags->>os',
      wantCode: 'TARGET_PARSE',
      wantMessage: "expected a quoted key after 'tags->>' at column 8, got 'os'",
      wantPosition: 7,
    },
    {
      name: 'missing operator',
      input: "os 'linux'",
      wantCode: 'TARGET_PARSE',
      wantMessage: 'expected an operator',
      wantPosition: 3,
    },
    {
      name: 'not without like/in',
      input: "os not = 'a'",
      wantCode: 'TARGET_PARSE',
      wantMessage: "expected 'like', 'ilike' or 'in' after 'not' at column 8",
      wantPosition: 7,
    },
    {
      name: 'like needs a string',
      input: 'name like 5',
      wantCode: 'TARGET_PARSE',
      wantMessage: 'expected a quoted pattern after like at column 11, got number 5',
      wantPosition: 10,
    },
    {
      name: 'like trailing escape',
      input: "name like 'a\\'",
      wantCode: 'TARGET_PARSE',
      wantMessage: 'bad like pattern at column 11',
      wantPosition: 10,
    },
    {
      name: 'unclosed paren',
      input: "(os='a'",
      wantCode: 'TARGET_PARSE',
      wantMessage: "expected ')' to close the parenthesis at column 8, got end of input",
      wantPosition: 7,
    },
    {
      name: 'empty in list',
      input: 'os in ()',
      wantCode: 'TARGET_PARSE',
      wantMessage: "expected a value after '(' at column 8, got ')'",
      wantPosition: 7,
    },
    {
      name: 'unclosed in list',
      input: "os in ('a' 'b')",
      wantCode: 'TARGET_PARSE',
      wantMessage: "expected ',' or ')' in the list at column 12, got string 'b'",
      wantPosition: 11,
    },
    {
      name: 'trailing tokens',
      input: "os='a' os='b'",
      wantCode: 'TARGET_PARSE',
      wantMessage: "expected 'and', 'or' or end of input after a complete expression at column 8",
      wantPosition: 7,
    },
    {
      name: 'dangling and',
      input: "os='a' and",
      wantCode: 'TARGET_PARSE',
      wantMessage: "expected a field, 'not', '(' or 'all' here at column 11, got end of input",
      wantPosition: 10,
    },
    {
      name: 'keyword as field',
      input: "os='a' and or",
      wantCode: 'TARGET_PARSE',
      wantMessage: "got 'or'",
      wantPosition: 11,
    },
    {
      name: 'unterminated string',
      input: "os = 'linux",
      wantCode: 'TARGET_PARSE',
      wantMessage: 'unterminated string starting at column 6',
      wantPosition: 5,
    },
    {
      name: 'double quotes',
      input: 'os = "linux"',
      wantCode: 'TARGET_PARSE',
      wantMessage: `unexpected character '"' at column 6; strings use single quotes`,
      wantPosition: 5,
    },
    {
      name: 'cast',
      input: "os::text = 'a'",
      wantCode: 'TARGET_PARSE',
      wantMessage: 'casts are not supported',
      wantPosition: 2,
    },
    {
      name: 'json ->',
      input: "environment->'os' = 'a'",
      wantCode: 'TARGET_PARSE',
      wantMessage: 'use ->>',
      wantPosition: 11,
    },
    {
      name: 'found without quotes',
      input: 'found(abc)',
      wantCode: 'TARGET_PARSE',
      wantMessage: "expected a quoted, non-empty action id after 'found('",
      wantPosition: 6,
    },
    {
      name: 'found with empty id',
      input: "found('')",
      wantCode: 'TARGET_PARSE',
      wantMessage: 'non-empty action id',
      wantPosition: 6,
    },
    {
      name: 'heartbeat not a timestamp',
      input: "heartbeat > 'yesterday'",
      wantCode: 'TARGET_PARSE',
      wantMessage: 'expected an ISO 8601 timestamp',
      wantPosition: 12,
    },
    {
      name: 'number in exponent form',
      input: `version = 1${'0'.repeat(30)}`,
      wantCode: 'TARGET_PARSE',
      wantMessage: 'too large or too precise; quote it',
      wantPosition: 10,
    },
  ])('error: $name', ({ input, wantCode, wantMessage, wantPosition }) => {
    const err = catchError(() => parseTarget(input));
    expect(err.code).toBe(wantCode);
    expect(err.message).toContain(wantMessage);
    expect(err.position).toBe(wantPosition);
  });

  it.each([
    { name: 'longest accepted target', input: `name = '${'x'.repeat(MAX_TARGET_LENGTH - 9)}'`, wantCode: undefined },
    {
      name: 'one character too long',
      input: `name = '${'x'.repeat(MAX_TARGET_LENGTH - 8)}'`,
      wantCode: 'TARGET_PARSE',
    },
    {
      name: 'deepest parentheses',
      input: `${'('.repeat(MAX_TARGET_DEPTH)}all${')'.repeat(MAX_TARGET_DEPTH)}`,
      wantCode: undefined,
    },
    {
      name: 'parentheses too deep',
      input: `${'('.repeat(MAX_TARGET_DEPTH + 1)}all${')'.repeat(MAX_TARGET_DEPTH + 1)}`,
      wantCode: 'TARGET_PARSE',
    },
    { name: 'deepest not chain', input: `${'not '.repeat(MAX_TARGET_DEPTH)}all`, wantCode: undefined },
    { name: 'not chain too deep', input: `${'not '.repeat(MAX_TARGET_DEPTH + 1)}all`, wantCode: 'TARGET_PARSE' },
    {
      name: 'mixed nesting too deep',
      input: `${'not ('.repeat(MAX_TARGET_DEPTH / 2 + 1)}all${')'.repeat(MAX_TARGET_DEPTH / 2 + 1)}`,
      wantCode: 'TARGET_PARSE',
    },
    {
      name: 'long flat chains are fine',
      input: Array.from({ length: 400 }, () => "os='a'").join(' or '),
      wantCode: undefined,
    },
  ])('limit: $name', ({ input, wantCode }) => {
    if (wantCode === undefined) expect(() => parseTarget(input)).not.toThrow();
    else expect(catchError(() => parseTarget(input)).code).toBe(wantCode);
  });
});

function catchError(fn: () => unknown): TargetError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TargetError) return err;
    throw err;
  }
  throw new Error('expected a TargetError, got none');
}
