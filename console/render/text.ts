import type { ColumnSpec } from '../../protocol/module-spec.js';
import { PLAIN, type Palette } from './colors.js';
import type { RenderEntry } from './entries.js';
import { escapeControl, formatCell } from './format.js';
import type { Sink } from './sink.js';

/** Columns for a row: the spec's for its own module, the row's keys for any other module. */
function columnsFor(entry: RenderEntry, specModule: string, columns: readonly ColumnSpec[]): readonly ColumnSpec[] {
  if (entry.module === specModule || entry.row === null) return columns;
  return Object.keys(entry.row).map((key) => ({ key, header: key }));
}

/** MIG's layout: `host1 /etc/passwd [mode:-rw-r--r--, size:2.1K]`, empty cells left out. */
function rowLine(entry: RenderEntry, columns: readonly ColumnSpec[]): string {
  const row = entry.row ?? {};
  const cells = columns
    .map((column) => ({ key: column.key, text: formatCell(row[column.key], column) }))
    .filter((cell) => cell.text !== '');
  const [first, ...rest] = cells;
  // A row of an answer that found nothing (a failed scribe test, a refused ping) says so.
  const parts = [entry.found ? entry.agent : `${entry.agent} nothing found:`];
  if (first !== undefined) parts.push(first.text);
  if (rest.length > 0) parts.push(`[${rest.map((c) => `${c.key}:${c.text}`).join(', ')}]`);
  return parts.join(' ');
}

const VERIFICATION_TEXT = { verified: '(verified)', unsigned: '(UNSIGNED)', bad: '(BAD SIGNATURE)' } as const;

/** One entry as one plain line (no colour): what a person reads and what tests compare. */
export function textLine(entry: RenderEntry, specModule: string, columns: readonly ColumnSpec[]): string {
  let line: string;
  if (entry.error !== undefined) {
    // A command that succeeded overall but had one operation fail: say which module failed.
    const where = entry.status === 'success' && entry.module !== undefined ? ` in ${entry.module}` : '';
    line = `${entry.agent} error ${entry.error.code}${where}: ${entry.error.message}`;
  } else if (entry.row !== null) {
    line = rowLine(entry, columnsFor(entry, specModule, columns));
  } else {
    line = `${entry.agent} ${entry.found ? 'found something (no rows returned)' : 'nothing found'}`;
  }
  if (entry.verification !== undefined) line += ` ${VERIFICATION_TEXT[entry.verification]}`;
  // One result, one line: endpoint-supplied text must not break or rewrite the terminal.
  return escapeControl(line);
}

function colour(entry: RenderEntry, line: string, palette: Palette): string {
  if (entry.error !== undefined || entry.verification === 'bad') return palette.error(line);
  if (entry.verification === 'unsigned') return palette.warning(line);
  return entry.found ? palette.found(line) : palette.notFound(line);
}

/** One line per entry, written as commands arrive; colour only when the palette has it. */
export function textSink(
  out: NodeJS.WritableStream,
  specModule: string,
  columns: readonly ColumnSpec[],
  palette: Palette = PLAIN,
): Sink {
  return {
    write(entries) {
      for (const entry of entries) out.write(`${colour(entry, textLine(entry, specModule, columns), palette)}\n`);
    },
    end() {},
  };
}
