import type { ColumnDef } from '../columns.js';
import { relativeTime } from '../text.js';

/**
 * A "how long ago" column, the same in every table: relative time, right-aligned, and the exact
 * timestamp in wide mode (`w`). `at` picks the row's ISO time.
 */
export function timeColumn<T>(key: string, header: string, width: number, at: (row: T) => string): ColumnDef<T> {
  return {
    key,
    header,
    width,
    align: 'right',
    text: (row, now) => relativeTime(at(row), now),
    wideText: (row) => at(row),
  };
}
