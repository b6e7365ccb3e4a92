/**
 * Cursor and scroll offset of a virtualized table: only `height` rows starting at `offset` are
 * ever rendered, whatever the row count. Pure functions over plain numbers.
 */
export interface TableWindow {
  cursor: number;
  offset: number;
}

/** Keeps the cursor inside the rows and the offset such that the cursor is visible. */
export function clampWindow(win: TableWindow, rowCount: number, height: number): TableWindow {
  const rows = Math.max(0, rowCount);
  const h = Math.max(1, height);
  const cursor = rows === 0 ? 0 : Math.min(Math.max(0, win.cursor), rows - 1);
  let offset = Math.min(Math.max(0, win.offset), Math.max(0, rows - h));
  if (cursor < offset) offset = cursor;
  if (cursor >= offset + h) offset = cursor - h + 1;
  return cursor === win.cursor && offset === win.offset ? win : { cursor, offset };
}

export type TableMove = 'up' | 'down' | 'pageUp' | 'pageDown' | 'top' | 'bottom';

export function moveWindow(win: TableWindow, move: TableMove, rowCount: number, height: number): TableWindow {
  const page = Math.max(1, height);
  const cursor = {
    up: win.cursor - 1,
    down: win.cursor + 1,
    pageUp: win.cursor - page,
    pageDown: win.cursor + page,
    top: 0,
    bottom: rowCount - 1,
  }[move];
  // Paging moves the view with the cursor, like less(1), rather than only the cursor.
  const offset = move === 'pageUp' ? win.offset - page : move === 'pageDown' ? win.offset + page : win.offset;
  return clampWindow({ cursor, offset }, rowCount, height);
}

/** The slice of row indexes to render. */
export function visibleRange(win: TableWindow, rowCount: number, height: number): { start: number; end: number } {
  const clamped = clampWindow(win, rowCount, height);
  return { start: clamped.offset, end: Math.min(rowCount, clamped.offset + Math.max(1, height)) };
}
