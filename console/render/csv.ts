import type { ColumnSpec } from '../../protocol/module-spec.js';
import type { RenderEntry } from './entries.js';
import { plainText } from './format.js';
import type { Sink } from './sink.js';

// Cells a spreadsheet would run as a formula (OWASP "CSV injection"); tab and CR start some too.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell, RFC 4180: quoted when it holds a quote, comma, CR or LF, quotes doubled.
 * Strings that start like a formula get a leading `'` so a spreadsheet shows them as text
 * instead of running them: paths and names come from endpoints and are hostile. This also
 * prefixes file modes such as `-rw-r--r--`; numbers are never prefixed (a negative number
 * is data, not a formula).
 */
export function csvCell(value: unknown): string {
  let text = plainText(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** Warnings in one cell: ` | ` keeps them on one line, greppable and readable in a spreadsheet. */
export const CSV_WARNING_SEPARATOR = ' | ';

/**
 * The header: who answered and how, then the module's columns by key, then any error and the
 * answer's warnings, then (with --verify) what the agent signature check said.
 */
export function csvHeader(columns: readonly ColumnSpec[], isVerifying = false): string[] {
  return [
    'agent',
    'agent_id',
    'status',
    'found',
    ...columns.map((c) => c.key),
    'error',
    'warnings',
    ...(isVerifying ? ['verification'] : []),
  ];
}

function csvRow(entry: RenderEntry, columns: readonly ColumnSpec[], isVerifying: boolean): unknown[] {
  const row = entry.row ?? {};
  const error = entry.error === undefined ? '' : `${entry.error.code}: ${entry.error.message}`;
  const warnings = (entry.warnings ?? []).join(CSV_WARNING_SEPARATOR);
  const cells = [
    entry.agent,
    entry.agentId,
    entry.status,
    entry.found,
    ...columns.map((c) => row[c.key]),
    error,
    warnings,
  ];
  return isVerifying ? [...cells, entry.verification ?? ''] : cells;
}

/** Raw values (bytes as numbers, ISO times) so the file sorts and sums; CRLF line ends per RFC 4180. */
export function csvSink(out: NodeJS.WritableStream, columns: readonly ColumnSpec[], isVerifying = false): Sink {
  let isHeaderWritten = false;
  const header = (): void => {
    if (!isHeaderWritten) out.write(csvLine(csvHeader(columns, isVerifying)));
    isHeaderWritten = true;
  };
  return {
    write(entries) {
      header();
      for (const entry of entries) out.write(csvLine(csvRow(entry, columns, isVerifying)));
    },
    end() {
      header();
    },
  };
}
