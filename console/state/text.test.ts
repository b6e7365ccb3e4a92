import { describe, expect, it } from 'vitest';
import { BaseError, UserError } from '../../protocol/errors.js';
import { cellText, errorText, fit, formatBytes, formatDuration, relativeTime, sanitize } from './text.js';

// Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
// table's.
describe('text', () => {
  it.each([
    { name: 'escape sequence in a hostname', input: 'evil\u001b[2Jhost', want: 'evil [2Jhost' },
    { name: 'C1 control', input: 'a\u009bb', want: 'a b' },
    { name: 'newline', input: 'a\nb', want: 'a b' },
    { name: 'plain', input: 'host-1.example.org', want: 'host-1.example.org' },
  ])('sanitize: $name', ({ input, want }) => {
    expect(sanitize(input)).toBe(want);
  });

  it.each([
    { name: 'pads left', input: { text: 'ab', width: 4, align: 'left' as const }, want: 'ab  ' },
    { name: 'pads right', input: { text: 'ab', width: 4, align: 'right' as const }, want: '  ab' },
    { name: 'cuts with an ellipsis', input: { text: 'abcdef', width: 4, align: 'left' as const }, want: 'abc…' },
    { name: 'zero width', input: { text: 'abc', width: 0, align: 'left' as const }, want: '' },
  ])('fit: $name', ({ input, want }) => {
    expect(fit(input.text, input.width, input.align)).toBe(want);
  });

  it.each([
    {
      name: 'user error with hint',
      input: new UserError('NOT_FOUND', 'no such file', 'check the path'),
      want: 'no such file (check the path)',
    },
    { name: 'coded error', input: new BaseError('FORBIDDEN', 'admins only'), want: 'admins only' },
    { name: 'plain error keeps its first line only', input: new Error('boom\n    at evil (x.js:1:1)'), want: 'boom' },
    { name: 'not an error', input: 42, want: '42' },
  ])('errorText: $name, never a stack', ({ input, want }) => {
    expect(errorText(input)).toBe(want);
    expect(errorText(input)).not.toMatch(/\bat .*:\d+:\d+/);
  });

  // Alike on purpose (duplicates): {name, input, want} rows in STYLE's table form; gen-module-docs.test.ts's
  // formatDurationMs table shares only that form (its durations are the doc's, to the second).
  it.each([
    { name: 'seconds', input: 42_000, want: '42s' },
    { name: 'minutes', input: 125_000, want: '2m5s' },
    { name: 'whole minutes', input: 120_000, want: '2m' },
    { name: 'hours', input: 3_720_000, want: '1h2m' },
    { name: 'days', input: 90_000_000, want: '1d1h' },
  ])('formatDuration: $name', ({ input, want }) => {
    expect(formatDuration(input)).toBe(want);
  });

  it('relative times and cells', () => {
    expect(relativeTime('2026-01-15T11:59:50Z', Date.parse('2026-01-15T12:00:00Z'))).toBe('10s');
    expect(relativeTime('garbage', 0)).toBe('?');
    expect(formatBytes(1536)).toBe('1.5K');
    expect(cellText(['a', 'b'])).toBe('a,b');
    expect(cellText({ k: 'v\u001b' })).toBe('{"k":"v\\u001b"}');
  });
});
