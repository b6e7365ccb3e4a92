import type { CommandStatus } from '../../protocol/action.js';
import type { AnyModuleSpec, ColumnSpec } from '../../protocol/module-spec.js';
import type { ActionRecord, CommandRecord } from './backend.js';
import type { ColumnDef, Tone } from './columns.js';
import type { Investigation } from './investigations-state.js';
import type { FoundFilter, RowRef } from './nav.js';
import { cellText, formatBytes, relativeTime, sanitize, shortTime } from './text.js';

/** One line of the results table: one result row of one agent (or the agent alone when it has none). */
export interface ResultRow {
  key: string;
  commandId: string;
  agentName: string;
  status: CommandStatus;
  isFound: boolean | undefined;
  module: string;
  values: Readonly<Record<string, unknown>>;
  /** Why there is no data: waiting, not found, or the error; and how many warnings came with it. */
  note: string;
  /** Which row of the command this is; undefined for the line of an agent without rows. */
  ref?: RowRef;
}

function noteFor(c: CommandRecord): string {
  if (c.error !== undefined) return sanitize(`${c.error.code}: ${c.error.message}`);
  if (c.status === 'sent') return 'waiting';
  if (c.status !== 'success') return c.status;
  return c.isFound === true ? '' : 'not found';
}

/** "3 warnings": what a NOTE cell adds when the agent reported problems (Enter shows them). */
export function warningsText(count: number): string {
  return count === 0 ? '' : `${count} ${count === 1 ? 'warning' : 'warnings'}`;
}

/** Non-fatal problems the agent reported with its answer: unreadable paths, truncation... */
export function warningCount(c: CommandRecord): number {
  return (c.operations ?? []).reduce((sum, op) => sum + op.errors.length, 0);
}

function joinNote(...parts: string[]): string {
  return parts.filter((p) => p !== '').join(' — ');
}

const rowsByCommand = new WeakMap<CommandRecord, ResultRow[]>();

/** Cached per command record: a new result replaces the record, so only that agent is re-flattened. */
export function commandRows(c: CommandRecord): ResultRow[] {
  const cached = rowsByCommand.get(c);
  if (cached !== undefined) return cached;
  const base = { commandId: c.id, agentName: sanitize(c.agentName), status: c.status, isFound: c.isFound };
  const rows: ResultRow[] = [];
  for (const [opIndex, op] of (c.operations ?? []).entries()) {
    const note = joinNote(
      op.error === undefined ? '' : sanitize(`${op.error.code}: ${op.error.message}`),
      warningsText(op.errors.length),
    );
    op.rows.forEach((values, i) =>
      rows.push({
        ...base,
        key: `${c.id}:${opIndex}:${i}`,
        module: op.module,
        values,
        note,
        ref: { operation: opIndex, index: i },
      }),
    );
  }
  if (rows.length === 0)
    rows.push({
      ...base,
      key: c.id,
      module: '',
      values: {},
      note: joinNote(noteFor(c), warningsText(warningCount(c))),
    });
  rowsByCommand.set(c, rows);
  return rows;
}

export function matchesFound(c: CommandRecord, found: FoundFilter): boolean {
  if (found === 'found') return c.isFound === true;
  if (found === 'notfound') return c.status !== 'sent' && c.isFound !== true;
  return true;
}

const rowsCache = new WeakMap<Investigation, Map<FoundFilter, readonly ResultRow[]>>();

/** Every result row of an investigation, by agent name, filtered by found/notfound. */
export function investigationRows(inv: Investigation, found: FoundFilter): readonly ResultRow[] {
  let byFilter = rowsCache.get(inv);
  const cached = byFilter?.get(found);
  if (cached !== undefined) return cached;
  const commands = [...inv.commands.values()].filter((c) => matchesFound(c, found));
  commands.sort((a, b) => a.agentName.localeCompare(b.agentName) || a.id.localeCompare(b.id));
  const rows = commands.flatMap(commandRows);
  if (byFilter === undefined) {
    byFilter = new Map();
    rowsCache.set(inv, byFilter);
  }
  byFilter.set(found, rows);
  return rows;
}

function statusTone(row: ResultRow): Tone {
  if (row.status === 'sent') return 'dim';
  if (row.status === 'success') return row.isFound === true ? 'ok' : 'normal';
  return 'error';
}

function noteTone(row: ResultRow): Tone {
  if (row.note === '') return 'normal';
  const tone = statusTone(row);
  // A warning on an otherwise good answer: the search may have missed something.
  return tone === 'ok' || tone === 'normal' ? (row.note.includes('warning') ? 'warn' : tone) : tone;
}

function moduleColumn(spec: ColumnSpec): ColumnDef<ResultRow> {
  const text = (row: ResultRow, now: number): string => {
    const v = row.values[spec.key];
    if (v === undefined || v === null) return '';
    if (spec.isBytes === true && typeof v === 'number') return formatBytes(v);
    if (spec.isTime === true && typeof v === 'string')
      return now - Date.parse(v) < 86_400_000 ? relativeTime(v, now) : shortTime(v);
    return cellText(v);
  };
  // Wide mode: the value as the agent sent it (an ISO time whole, a size in bytes).
  const wideText = (row: ResultRow, now: number): string => {
    const v = row.values[spec.key];
    return (spec.isTime === true || spec.isBytes === true) && v !== undefined && v !== null
      ? cellText(v)
      : text(row, now);
  };
  const isPlainText = spec.align !== 'right' && spec.isTime !== true && spec.isBytes !== true;
  return {
    key: `col:${spec.key}`,
    header: spec.header.toUpperCase(),
    width: Math.max(spec.header.length, isPlainText ? 10 : 7),
    isFlex: isPlainText,
    align: spec.align ?? 'left',
    isWide: spec.isWide === true,
    text,
    wideText,
  };
}

/** Agent, status, then each module's declared columns (several modules: their union, plus MODULE). */
export function resultColumns(
  record: ActionRecord | undefined,
  modules: ReadonlyMap<string, AnyModuleSpec>,
): ColumnDef<ResultRow>[] {
  const names = [...new Set((record?.action.operations ?? []).map((op) => op.module))];
  const seen = new Set<string>();
  const columns: ColumnDef<ResultRow>[] = [
    { key: 'agent', header: 'AGENT', width: 12, isFlex: true, text: (r) => r.agentName },
    { key: 'status', header: 'STATUS', width: 9, text: (r) => r.status, tone: statusTone },
  ];
  if (names.length > 1) columns.push({ key: 'module', header: 'MODULE', width: 8, text: (r) => r.module });
  for (const name of names) {
    const spec = modules.get(name);
    // A module this console does not know still shows its data, just without nice columns.
    if (spec === undefined && !seen.has('*')) {
      seen.add('*');
      columns.push({
        key: 'data',
        header: 'DATA',
        width: 12,
        isFlex: true,
        text: (r) => (Object.keys(r.values).length === 0 ? '' : cellText(r.values)),
      });
    }
    for (const col of spec?.columns ?? []) {
      if (seen.has(col.key)) continue;
      seen.add(col.key);
      columns.push(moduleColumn(col));
    }
  }
  columns.push({ key: 'note', header: 'NOTE', width: 10, isFlex: true, text: (r) => r.note, tone: noteTone });
  return columns;
}
