/** How a cell should look; the theme turns tones into colors (or nothing under NO_COLOR). */
export type Tone = 'normal' | 'ok' | 'warn' | 'error' | 'dim' | 'accent';

/**
 * A table column as data (the k9s header idea): what to show, how wide, and whether it may be
 * dropped on a narrow terminal.
 */
export interface ColumnDef<T> {
  key: string;
  header: string;
  /** Minimum width; flexible columns share what is left. */
  width: number;
  isFlex?: boolean;
  align?: 'left' | 'right';
  /** Dropped first when the terminal is too narrow. */
  isWide?: boolean;
  // Function-typed properties, not methods: they are picked off the definition and called alone.
  text: (row: T, nowMs: number) => string;
  /** The whole value for wide mode (`w`): exact times and sizes; defaults to `text`. */
  wideText?: (row: T, nowMs: number) => string;
  tone?: (row: T) => Tone;
  /** Sort key; defaults to the text. */
  sortValue?: (row: T) => string | number;
}

export interface LaidOutColumn {
  key: string;
  header: string;
  width: number;
  align: 'left' | 'right';
}

const GAP = 1;

function totalWidth(cols: readonly { width: number }[]): number {
  return cols.reduce((sum, c) => sum + c.width, 0) + Math.max(0, cols.length - 1) * GAP;
}

/**
 * Fits columns into `width`: drops wide columns (rightmost first), then any rightmost columns.
 * Spare width goes to flexible columns (or the last column): first towards what their visible
 * cells need (`natural`), a column at a time in turn, then evenly.
 */
export function layoutColumns<T>(
  defs: readonly ColumnDef<T>[],
  width: number,
  natural?: (def: ColumnDef<T>) => number,
): { defs: ColumnDef<T>[]; widths: number[] } {
  let kept = [...defs];
  for (let i = kept.length - 1; i >= 0 && totalWidth(kept) > width; i--) {
    if (kept[i]?.isWide === true) kept = kept.filter((_, j) => j !== i);
  }
  while (kept.length > 1 && totalWidth(kept) > width) kept = kept.slice(0, -1);
  const widths = kept.map((c) => c.width);
  let spare = width - totalWidth(kept);
  if (spare < 0 && widths.length === 1) widths[0] = Math.max(1, width);
  spare = Math.max(0, spare);
  const flex = kept.flatMap((c, i) => (c.isFlex === true ? [i] : []));
  const receivers = flex.length > 0 ? flex : kept.length > 0 ? [kept.length - 1] : [];
  const wants = receivers.map((i) => Math.max(0, (natural?.(kept[i] as ColumnDef<T>) ?? 0) - (widths[i] ?? 0)));
  while (spare > 0 && wants.some((w) => w > 0)) {
    receivers.forEach((index, n) => {
      if (spare > 0 && (wants[n] ?? 0) > 0) {
        widths[index] = (widths[index] ?? 0) + 1;
        wants[n] = (wants[n] ?? 0) - 1;
        spare--;
      }
    });
  }
  receivers.forEach((index, n) => {
    const share = Math.floor(spare / receivers.length) + (n < spare % receivers.length ? 1 : 0);
    widths[index] = (widths[index] ?? 0) + share;
  });
  return { defs: kept, widths };
}

/**
 * Wide mode: every column from `first` on at the width its visible cells need, none dropped and
 * none cut; what passes the terminal's right edge is reached with →.
 */
export function naturalLayout<T>(
  defs: readonly ColumnDef<T>[],
  first: number,
  natural: (def: ColumnDef<T>) => number,
): { defs: ColumnDef<T>[]; widths: number[] } {
  const kept = defs.slice(Math.max(0, Math.min(first, defs.length - 1)));
  return { defs: kept, widths: kept.map((d) => Math.max(1, natural(d))) };
}

export function laidOut<T>(layout: { defs: readonly ColumnDef<T>[]; widths: readonly number[] }): LaidOutColumn[] {
  return layout.defs.map((d, i) => ({
    key: d.key,
    header: d.header,
    width: layout.widths[i] ?? d.width,
    align: d.align ?? 'left',
  }));
}

export interface Cell {
  text: string;
  tone: Tone;
}

/** Cells of one row for the laid-out columns. */
export function rowCells<T>(defs: readonly ColumnDef<T>[], row: T, nowMs: number, isWide = false): Cell[] {
  return defs.map((d) => ({
    text: (isWide ? (d.wideText ?? d.text) : d.text)(row, nowMs),
    tone: d.tone?.(row) ?? 'normal',
  }));
}
