import { describe, expect, it } from 'vitest';
import { escapeControl, formatBytes, formatCell, formatTime } from './format.js';

// Alike on purpose (duplicates): {name, input, want} rows in STYLE's table form; gen-module-docs.test.ts's duration
// table shares only that form.
describe('formatBytes', () => {
  it.each([
    { name: 'zero', input: 0, want: '0B' },
    { name: 'under a K', input: 1023, want: '1023B' },
    { name: 'one K', input: 1024, want: '1.0K' },
    { name: 'fraction', input: 1536, want: '1.5K' },
    { name: 'rounds up to 10 without a decimal', input: 10_200, want: '10K' },
    { name: 'tens', input: 15 * 1024, want: '15K' },
    { name: 'mega', input: 1.2 * 1024 * 1024, want: '1.2M' },
    { name: 'giga', input: 3 * 1024 ** 3, want: '3.0G' },
    { name: 'huge stays in the largest unit', input: 2 * 1024 ** 7, want: '2048E' },
    { name: 'negative shown as given', input: -5, want: '-5' },
    { name: 'not a number shown as given', input: 'big', want: 'big' },
  ])('$name', ({ input, want }) => {
    expect(formatBytes(input)).toBe(want);
  });
});

describe('formatTime', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  it.each([
    {
      name: 'absolute without now',
      input: '2024-05-01T11:59:30.123Z',
      now: undefined,
      want: '2024-05-01 11:59:30 UTC',
    },
    {
      name: 'offset normalised to UTC',
      input: '2024-05-01T14:00:00+02:00',
      now: undefined,
      want: '2024-05-01 12:00:00 UTC',
    },
    { name: 'seconds ago', input: '2024-05-01T11:59:30Z', now, want: '30s ago' },
    { name: 'minutes ago', input: '2024-05-01T11:55:00Z', now, want: '5m ago' },
    { name: 'hours ago', input: '2024-05-01T09:00:00Z', now, want: '3h ago' },
    { name: 'days ago', input: '2024-04-21T12:00:00Z', now, want: '10d ago' },
    { name: 'future', input: '2024-05-01T12:02:00Z', now, want: 'in 2m' },
    { name: 'over a year: absolute', input: '2020-01-01T00:00:00Z', now, want: '2020-01-01 00:00:00 UTC' },
    { name: 'not a time', input: 'yesterday', now, want: 'yesterday' },
  ])('$name', ({ input, now: at, want }) => {
    expect(formatTime(input, at)).toBe(want);
  });
});

describe('formatCell', () => {
  it.each([
    { name: 'bytes column', value: 2048, column: { isBytes: true }, want: '2.0K' },
    { name: 'time column', value: '2024-05-01T00:00:00Z', column: { isTime: true }, want: '2024-05-01 00:00:00 UTC' },
    { name: 'array joined', value: ['a', 'b'], column: {}, want: 'a,b' },
    { name: 'object as JSON', value: { a: 1 }, column: {}, want: '{"a":1}' },
    { name: 'missing is empty', value: undefined, column: { isBytes: true }, want: '' },
    { name: 'boolean', value: false, column: {}, want: 'false' },
  ])('$name', ({ value, column, want }) => {
    expect(formatCell(value, column)).toBe(want);
  });
});

// Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
// table's.
describe('escapeControl', () => {
  it.each([
    { name: 'newline and tab', input: 'a\nb\tc\rd', want: 'a\\nb\\tc\\rd' },
    { name: 'escape sequence', input: '\u001b[31mred', want: '\\x1b[31mred' },
    { name: 'C1 control', input: 'a\u009bb', want: 'a\\x9bb' },
    { name: 'unicode kept', input: 'héllo ✓', want: 'héllo ✓' },
  ])('$name', ({ input, want }) => {
    expect(escapeControl(input)).toBe(want);
  });
});
