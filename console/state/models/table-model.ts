import {
  laidOut,
  layoutColumns,
  naturalLayout,
  rowCells,
  type Cell,
  type ColumnDef,
  type LaidOutColumn,
} from '../columns.js';
import { clampWindow, type TableWindow } from '../table-window.js';

export interface TableRow {
  key: string;
  cells: Cell[];
}

/** What the Table component draws: only the visible rows, already turned into cells. */
export interface TableModel {
  columns: LaidOutColumn[];
  rows: TableRow[];
  /** Index into `rows` of the cursor row, -1 when there is none. */
  cursorRow: number;
  total: number;
  offset: number;
  emptyText: string;
  /** Columns the table has in all (wide mode scrolls through them). */
  columnCount: number;
  /** Wide mode: index of the first column shown. */
  firstColumn: number;
  isWide: boolean;
}

/** Wide mode (`w`) and its sideways scroll, from the UI state and the view's entry. */
export interface WideOptions {
  isWide: boolean;
  firstColumn: number;
}

export interface TableInput<T> {
  defs: readonly ColumnDef<T>[];
  items: readonly T[];
  win: TableWindow;
  height: number;
  width: number;
  nowMs: number;
  keyOf(item: T): string;
  emptyText: string;
  wide?: WideOptions;
}

/** Virtualization happens here: however many items there are, only `height` rows are formatted. */
export function buildTable<T>(input: TableInput<T>): TableModel {
  const win = clampWindow(input.win, input.items.length, input.height);
  const end = Math.min(input.items.length, win.offset + Math.max(1, input.height));
  const visible = input.items.slice(win.offset, end);
  // Cells of every column for the visible rows only; they also tell the layout what each column needs.
  const isWide = input.wide?.isWide === true;
  const cells = visible.map((item) => rowCells(input.defs, item, input.nowMs, isWide));
  const natural = new Map<ColumnDef<T>, number>();
  input.defs.forEach((def, i) => {
    natural.set(def, Math.max(def.header.length, ...cells.map((row) => row[i]?.text.length ?? 0)));
  });
  const firstColumn = isWide ? Math.max(0, Math.min(input.wide?.firstColumn ?? 0, input.defs.length - 1)) : 0;
  const layout = isWide
    ? naturalLayout(input.defs, firstColumn, (def) => natural.get(def) ?? 0)
    : layoutColumns(input.defs, input.width, (def) => natural.get(def) ?? 0);
  const keptIndexes = layout.defs.map((def) => input.defs.indexOf(def));
  const rows: TableRow[] = visible.map((item, r) => ({
    key: input.keyOf(item),
    cells: keptIndexes.map((i) => cells[r]?.[i] ?? { text: '', tone: 'normal' }),
  }));
  return {
    columns: laidOut(layout),
    rows,
    cursorRow: rows.length === 0 ? -1 : win.cursor - win.offset,
    total: input.items.length,
    offset: win.offset,
    emptyText: input.emptyText,
    columnCount: input.defs.length,
    firstColumn,
    isWide,
  };
}

/** What wide mode and sideways scrolling are for the view on top of the stack. */
export function wideOf(ui: { isWide: boolean }, entry: { firstColumn: number }): WideOptions {
  return { isWide: ui.isWide, firstColumn: entry.firstColumn };
}
