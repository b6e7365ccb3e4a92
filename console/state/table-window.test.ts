import { describe, expect, it } from 'vitest';
import { clampWindow, moveWindow, visibleRange, type TableMove } from './table-window.js';

describe('table window', () => {
  it.each<{
    name: string;
    input: { cursor: number; offset: number; move: TableMove; rows: number; height: number };
    want: { cursor: number; offset: number };
  }>([
    // Alike on purpose (duplicates): one row per cursor move with its input and wanted window written out, so that a
    // failing row reads on its own; rows differ only in the numbers, which are the case.
    {
      name: 'down inside the page',
      input: { cursor: 0, offset: 0, move: 'down', rows: 100, height: 10 },
      want: { cursor: 1, offset: 0 },
    },
    {
      name: 'down past the page scrolls',
      input: { cursor: 9, offset: 0, move: 'down', rows: 100, height: 10 },
      want: { cursor: 10, offset: 1 },
    },
    {
      name: 'up at the top stays',
      input: { cursor: 0, offset: 0, move: 'up', rows: 100, height: 10 },
      want: { cursor: 0, offset: 0 },
    },
    {
      name: 'up above the page scrolls',
      input: { cursor: 5, offset: 5, move: 'up', rows: 100, height: 10 },
      want: { cursor: 4, offset: 4 },
    },
    {
      name: 'page down moves view and cursor',
      input: { cursor: 2, offset: 0, move: 'pageDown', rows: 100, height: 10 },
      want: { cursor: 12, offset: 10 },
    },
    {
      name: 'page down clamps at the end',
      input: { cursor: 95, offset: 90, move: 'pageDown', rows: 100, height: 10 },
      want: { cursor: 99, offset: 90 },
    },
    {
      name: 'bottom',
      input: { cursor: 0, offset: 0, move: 'bottom', rows: 10_000, height: 18 },
      want: { cursor: 9999, offset: 9982 },
    },
    {
      name: 'top',
      input: { cursor: 500, offset: 490, move: 'top', rows: 10_000, height: 18 },
      want: { cursor: 0, offset: 0 },
    },
    {
      name: 'empty table',
      input: { cursor: 3, offset: 2, move: 'down', rows: 0, height: 10 },
      want: { cursor: 0, offset: 0 },
    },
  ])('$name', ({ input, want }) => {
    expect(moveWindow({ cursor: input.cursor, offset: input.offset }, input.move, input.rows, input.height)).toEqual(
      want,
    );
  });

  it('re-clamps after the table shrinks or the terminal gets shorter', () => {
    expect(clampWindow({ cursor: 50, offset: 45 }, 20, 10)).toEqual({ cursor: 19, offset: 10 });
    expect(clampWindow({ cursor: 30, offset: 25 }, 100, 3)).toEqual({ cursor: 30, offset: 28 });
  });

  it('visible range never exceeds the height', () => {
    expect(visibleRange({ cursor: 9999, offset: 9990 }, 10_000, 18)).toEqual({ start: 9982, end: 10_000 });
  });
});
