import { describe, expect, it } from 'vitest';
import { referencedActions } from './ast.js';
import { evaluateTarget, matchesTarget, type AgentFacts, type TargetContext, type Tri } from './evaluate.js';
import { parseTarget } from './parser.js';

const agent: AgentFacts = {
  id: 'agent-1',
  name: 'web-01.example.net',
  os: 'linux',
  arch: 'amd64',
  version: '20240501',
  mode: 'daemon',
  queueloc: 'linux.web-01.abc',
  environment: { ident: 'Ubuntu 22.04', isproxied: 'false', cpus: ' 8 ' },
  tags: { operator: 'IT', 'odd key': "it's" },
  status: 'online',
  heartbeat: '2024-05-01T12:00:00.000Z',
};

const server: TargetContext = {
  found: (id) => (id === 'hunt-1' ? new Set(['agent-1']) : id === 'hunt-2' ? new Set(['agent-9']) : undefined),
  notFound: (id) => (id === 'hunt-2' ? new Set(['agent-1']) : undefined),
};
const onAgent: TargetContext = { ...server, serverOnlyUnknown: true };

describe('evaluateTarget', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the table's.
  it.each<{ name: string; input: string; want: Tri; ctx?: TargetContext }>([
    { name: 'all', input: 'all', want: true },
    { name: 'string =', input: "os = 'linux'", want: true },
    { name: 'string = is case-sensitive', input: "os = 'Linux'", want: false },
    { name: 'string !=', input: "os <> 'darwin'", want: true },
    { name: 'string < is lexicographic', input: "version < '3'", want: true },
    { name: 'number < is numeric', input: 'version < 3', want: false },
    { name: 'number >= on numeric text', input: 'version >= 20240501', want: true },
    { name: 'number compare trims whitespace', input: "environment->>'cpus' = 8", want: true },
    { name: 'number vs non-numeric text is unknown', input: 'name > 3', want: 'unknown' },
    { name: 'boolean literal', input: "environment->>'isproxied' = false", want: true },
    { name: 'boolean vs non-boolean text is unknown', input: 'os = true', want: 'unknown' },
    { name: 'tags key with quote and space', input: "tags->>'odd key' = 'it''s'", want: true },
    { name: 'missing map key is NULL', input: "tags->>'nope' = 'x'", want: 'unknown' },
    { name: 'missing key != is still NULL', input: "tags->>'nope' != 'x'", want: 'unknown' },
    { name: 'prototype keys are not facts', input: "environment->>'constructor' like '%'", want: 'unknown' },
    { name: 'like', input: "queueloc like 'linux.%'", want: true },
    { name: 'like is case-sensitive', input: "environment->>'ident' like '%ubuntu%'", want: false },
    { name: 'ilike', input: "environment->>'ident' ilike '%ubuntu%'", want: true },
    { name: 'not like', input: "name not like '%.example.net'", want: false },
    { name: 'not ilike', input: "name not ilike 'WEB%'", want: false },
    { name: 'regex metacharacters are literal', input: "name like 'web-01.example.ne.'", want: false },
    { name: 'like on missing key', input: "tags->>'nope' like '%'", want: 'unknown' },
    { name: 'in', input: "os in ('darwin', 'linux')", want: true },
    { name: 'in, no match', input: "os in ('darwin', 'windows')", want: false },
    { name: 'not in', input: "os not in ('darwin', 'windows')", want: true },
    { name: 'in with an uncomparable element and no match', input: "os in (1, 'darwin')", want: 'unknown' },
    { name: 'in with an uncomparable element and a match', input: "os in (1, 'linux')", want: true },
    { name: 'not in on missing key', input: "tags->>'nope' not in ('x')", want: 'unknown' },
    { name: 'heartbeat compares as instants', input: "heartbeat > '2024-05-01T11:59:59Z'", want: true },
    { name: 'heartbeat zone offsets', input: "heartbeat = '2024-05-01T14:00:00+02:00'", want: true },
    { name: 'heartbeat without zone is UTC', input: "heartbeat < '2024-05-01 12:00:01'", want: true },
    { name: 'status on the server', input: "status = 'online'", want: true },
    { name: 'found', input: "found('hunt-1')", want: true },
    { name: 'found, other agents', input: "found('hunt-2')", want: false },
    { name: 'found, unknown action', input: "found('hunt-3')", want: 'unknown' },
    { name: 'notfound', input: "notfound('hunt-2')", want: true },
    { name: 'notfound without a callback', input: "notfound('hunt-2')", want: 'unknown', ctx: {} },
    { name: 'agent side: status is unknown', input: "status = 'online'", want: 'unknown', ctx: onAgent },
    { name: 'agent side: heartbeat is unknown', input: "heartbeat > '2000-01-01'", want: 'unknown', ctx: onAgent },
    { name: 'agent side: found is unknown', input: "found('hunt-1')", want: 'unknown', ctx: onAgent },
    {
      name: 'agent side: own facts still count',
      input: "os = 'linux' and status = 'online'",
      want: 'unknown',
      ctx: onAgent,
    },
    { name: 'agent side: false and unknown', input: "os = 'darwin' and found('hunt-1')", want: false, ctx: onAgent },
    // Kleene truth tables, with `tags->>'nope' = 'x'` as the unknown operand.
    { name: 'not unknown', input: "not tags->>'nope' = 'x'", want: 'unknown' },
    { name: 'true and unknown', input: "os = 'linux' and tags->>'nope' = 'x'", want: 'unknown' },
    { name: 'false and unknown', input: "os = 'darwin' and tags->>'nope' = 'x'", want: false },
    { name: 'unknown and false', input: "tags->>'nope' = 'x' and os = 'darwin'", want: false },
    { name: 'true or unknown', input: "tags->>'nope' = 'x' or os = 'linux'", want: true },
    { name: 'false or unknown', input: "os = 'darwin' or tags->>'nope' = 'x'", want: 'unknown' },
    { name: 'false or false', input: "os = 'darwin' or os = 'windows'", want: false },
    { name: 'not false', input: "not os = 'darwin'", want: true },
    { name: 'precedence in evaluation', input: "os = 'darwin' and os = 'x' or mode = 'daemon'", want: true },
  ])('$name', ({ input, want, ctx }) => {
    expect(evaluateTarget(parseTarget(input), agent, ctx ?? server)).toBe(want);
  });

  it('the pathological like pattern on a 10k-char name finishes', () => {
    const longName = { ...agent, name: 'a'.repeat(10_000) };
    expect(evaluateTarget(parseTarget("name like '%a%a%a%a%a%a%a%a%a%b'"), longName)).toBe(false);
  });
});

describe('matchesTarget', () => {
  it.each([
    { name: 'true matches', input: "os = 'linux'", want: true },
    { name: 'false does not', input: "os = 'darwin'", want: false },
    { name: 'unknown does not', input: "tags->>'nope' = 'x'", want: false },
    {
      name: 'heartbeat missing is unknown',
      input: "heartbeat > '2000-01-01'",
      want: false,
      facts: { ...agent, heartbeat: undefined },
    },
  ])('$name', ({ input, want, facts }) => {
    expect(matchesTarget(parseTarget(input), facts ?? agent, server)).toBe(want);
  });
});

describe('referencedActions', () => {
  it.each([
    { name: 'none', input: "os = 'linux'", want: [] },
    {
      name: 'nested, deduplicated, in order',
      input: "found('b') or (not notfound('a') and found('b'))",
      want: ['b', 'a'],
    },
  ])('$name', ({ input, want }) => {
    expect(referencedActions(parseTarget(input))).toEqual(want);
  });
});
