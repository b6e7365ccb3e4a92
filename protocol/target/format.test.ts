import { describe, expect, it } from 'vitest';
import type { TargetExpr } from './ast.js';
import { formatTarget } from './format.js';
import { parseTarget } from './parser.js';

describe('formatTarget', () => {
  it.each([
    {
      name: 'keywords lowercased, <> as !=',
      input: "OS <> 'a' AND Mode = 'daemon'",
      want: "os != 'a' and mode = 'daemon'",
    },
    { name: 'agents. prefix dropped', input: "agents.queueloc LIKE 'linux.%'", want: "queueloc like 'linux.%'" },
    { name: 'quotes doubled', input: "tags->>'it''s' = 'o''brien'", want: "tags->>'it''s' = 'o''brien'" },
    { name: 'literals', input: 'version in (1, -2.5, TRUE, false)', want: 'version in (1, -2.5, true, false)' },
    {
      name: 'negated like/in',
      input: "name NOT ILIKE '%x%' or os not in ('a')",
      want: "name not ilike '%x%' or os not in ('a')",
    },
    {
      name: 'redundant parentheses dropped',
      input: "((os = 'a')) or (os = 'b' and os = 'c')",
      want: "os = 'a' or os = 'b' and os = 'c'",
    },
    {
      name: 'needed parentheses kept',
      input: "(os = 'a' or os = 'b') and not (os = 'c' and os = 'd')",
      want: "(os = 'a' or os = 'b') and not (os = 'c' and os = 'd')",
    },
    {
      name: 'grouping of same operator kept',
      input: "os = 'a' or (os = 'b' or os = 'c')",
      want: "os = 'a' or (os = 'b' or os = 'c')",
    },
    {
      name: 'functions and all',
      input: "FOUND('x') and NotFound('y') or ALL",
      want: "found('x') and notfound('y') or all",
    },
    { name: 'not of a comparison', input: "not os = 'a'", want: "not os = 'a'" },
  ])('$name', ({ input, want }) => {
    const expr = parseTarget(input);
    expect(formatTarget(expr)).toBe(want);
    // Canonical text must read back as the same tree.
    expect(parseTarget(formatTarget(expr))).toEqual(expr);
  });

  it('parenthesises nested terms of a hand-built tree so it reads back the same', () => {
    const a: TargetExpr = { kind: 'compare', field: { kind: 'field', name: 'os' }, op: '=', value: 'a' };
    const expr: TargetExpr = {
      kind: 'and',
      terms: [a, { kind: 'and', terms: [a, a] }, { kind: 'not', expr: { kind: 'or', terms: [a, a] } }],
    };
    expect(formatTarget(expr)).toBe("os = 'a' and (os = 'a' and os = 'a') and not (os = 'a' or os = 'a')");
    expect(parseTarget(formatTarget(expr))).toEqual(expr);
  });
});
