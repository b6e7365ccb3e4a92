import { describe, expect, it } from 'vitest';
import { likeMatch, likePatternProblem } from './like.js';

describe('likeMatch', () => {
  it.each([
    { name: 'exact', input: { pattern: 'linux', text: 'linux' }, want: true },
    { name: 'anchored at both ends', input: { pattern: 'linux', text: 'linux2' }, want: false },
    { name: 'prefix %', input: { pattern: 'linux.%', text: 'linux.host1' }, want: true },
    { name: 'suffix %', input: { pattern: '%.example.net', text: 'web1.example.net' }, want: true },
    { name: 'contains %x%', input: { pattern: '%web%', text: 'prod-web-3' }, want: true },
    { name: '% matches empty', input: { pattern: '%web%', text: 'web' }, want: true },
    { name: 'only %', input: { pattern: '%', text: '' }, want: true },
    { name: 'empty pattern, empty text', input: { pattern: '', text: '' }, want: true },
    { name: 'empty pattern, text', input: { pattern: '', text: 'a' }, want: false },
    { name: '_ is one char', input: { pattern: 'h_st', text: 'host' }, want: true },
    { name: '_ is not zero chars', input: { pattern: 'h_st', text: 'hst' }, want: false },
    { name: '_ is one code point', input: { pattern: 'a_b', text: 'a😀b' }, want: true },
    { name: 'first and last must not overlap', input: { pattern: 'ab%ba', text: 'aba' }, want: false },
    { name: 'middle segments in order', input: { pattern: '%a%b%c%', text: 'xcxbxa' }, want: false },
    { name: 'middle segments found', input: { pattern: '%a%b%c%', text: 'xaxbxc' }, want: true },
    { name: 'backtracking needed on suffix', input: { pattern: '%aab', text: 'aaab' }, want: true },
    { name: 'regex dot is literal', input: { pattern: 'a.c', text: 'abc' }, want: false },
    { name: 'regex star is literal', input: { pattern: 'a*', text: 'aaa' }, want: false },
    {
      name: 'regex metacharacters match themselves',
      input: { pattern: '^a+(b|c)?[d]$\\\\', text: '^a+(b|c)?[d]$\\' },
      want: true,
    },
    { name: 'escaped % is literal', input: { pattern: '100\\%', text: '100%' }, want: true },
    { name: 'escaped % does not wildcard', input: { pattern: '100\\%', text: '1000' }, want: false },
    { name: 'escaped _ is literal', input: { pattern: 'a\\_b', text: 'axb' }, want: false },
    { name: 'case-sensitive like', input: { pattern: '%Ubuntu%', text: 'ubuntu 22.04' }, want: false },
    {
      name: 'ilike ignores case',
      input: { pattern: '%Ubuntu%', text: 'UBUNTU 22.04', isCaseInsensitive: true },
      want: true,
    },
  ])('$name', ({ input, want }) => {
    expect(likeMatch(input.pattern, input.text, input.isCaseInsensitive ?? false)).toBe(want);
  });

  // Every % is matched leftmost and never revisited, so this costs O(text × pattern), not the
  // polynomial blow-up a backtracking RegExp (/^.*a.*a…b$/) would have. No timing assertion: the
  // bound comes from the design, and this case just has to finish.
  it.each([
    { name: 'no b at all', input: 'a'.repeat(10_000), want: false },
    { name: 'b at the end', input: `${'a'.repeat(10_000)}b`, want: true },
    { name: 'b in the middle only', input: `${'a'.repeat(5_000)}b${'a'.repeat(5_000)}`, want: false },
  ])('pathological pattern on a 10k-char name: $name', ({ input, want }) => {
    expect(likeMatch('%a%a%a%a%a%a%a%a%a%b', input, false)).toBe(want);
  });
});

describe('likePatternProblem', () => {
  it.each([
    { name: 'plain pattern', input: 'a%b_', want: undefined },
    { name: 'escaped backslash at the end', input: 'a\\\\', want: undefined },
    { name: 'trailing escape', input: 'a\\', want: 'escape character' },
    { name: 'three trailing backslashes', input: 'a\\\\\\', want: 'escape character' },
  ])('$name', ({ input, want }) => {
    const got = likePatternProblem(input);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(want);
  });
});
