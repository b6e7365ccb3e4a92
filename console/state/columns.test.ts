import { describe, expect, it } from 'vitest';
import { layoutColumns, type ColumnDef } from './columns.js';

const col = (key: string, width: number, extra: Partial<ColumnDef<unknown>> = {}): ColumnDef<unknown> => ({
  key,
  header: key,
  width,
  text: () => '',
  ...extra,
});
const COLS = [col('name', 10, { isFlex: true }), col('os', 6), col('tags', 10, { isWide: true }), col('status', 7)];

describe('layoutColumns', () => {
  it.each([
    {
      name: 'wide terminal: flex column takes the spare',
      input: 60,
      want: { keys: ['name', 'os', 'tags', 'status'], widths: [34, 6, 10, 7] },
    },
    { name: 'exact fit', input: 36, want: { keys: ['name', 'os', 'tags', 'status'], widths: [10, 6, 10, 7] } },
    {
      name: 'narrow: the wide column goes first',
      input: 30,
      want: { keys: ['name', 'os', 'status'], widths: [15, 6, 7] },
    },
    { name: 'very narrow: rightmost columns go next', input: 17, want: { keys: ['name', 'os'], widths: [10, 6] } },
    { name: 'a single column fills what there is', input: 5, want: { keys: ['name'], widths: [5] } },
  ])('$name', ({ input, want }) => {
    const layout = layoutColumns(COLS, input);
    expect({ keys: layout.defs.map((d) => d.key), widths: layout.widths }).toEqual(want);
    if (layout.defs.length > 1)
      expect(layout.widths.reduce((a, b) => a + b, 0) + layout.widths.length - 1).toBeLessThanOrEqual(input);
  });
});
