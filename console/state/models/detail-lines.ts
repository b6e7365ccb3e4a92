import type { AnyModuleSpec } from '../../../protocol/module-spec.js';
import { answerTrust } from '../answer-trust.js';
import type { CommandRecord } from '../backend.js';
import type { Tone } from '../columns.js';
import type { RowRef } from '../nav.js';
import { cellText, formatBytes, formatDuration, sanitize } from '../text.js';

export interface Line {
  text: string;
  tone: Tone;
}

/** Labels are padded to this; a value's continuation lines are indented as far. */
const LABEL_WIDTH = 12;

/**
 * Cuts `text` into lines of at most `width` characters: nothing is ever cut off, a long path or
 * hash simply continues on the next line (indented by `indent`).
 */
export function wrapText(text: string, width: number, indent = 0): string[] {
  const room = Math.max(8, width);
  const lines: string[] = [];
  let rest = text;
  for (let first = true; rest.length > 0; first = false) {
    const prefix = first ? '' : ' '.repeat(indent);
    const fits = Math.max(4, room - prefix.length);
    if (rest.length <= fits) {
      lines.push(prefix + rest);
      break;
    }
    // Break after a space when there is one in the second half of the line (prose); a path
    // or a hash has none and is cut exactly at the edge, to be read on across the lines.
    const space = rest.lastIndexOf(' ', fits - 1);
    const cut = space >= fits / 2 ? space + 1 : fits;
    lines.push(prefix + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut);
  }
  return lines;
}

/** `label     value`, the value whole over as many lines as it needs. */
function field(out: Line[], width: number, label: string, value: string, tone: Tone = 'normal'): void {
  const text = `${sanitize(label).padEnd(LABEL_WIDTH - 1)} ${sanitize(value)}`;
  for (const line of wrapText(text, width, LABEL_WIDTH)) out.push({ text: line, tone });
}

function text(out: Line[], width: number, value: string, tone: Tone, indent = 0): void {
  for (const line of wrapText(sanitize(value), width, indent)) out.push({ text: line, tone });
}

/** A row value in full: times as stored (ISO, never shortened), sizes exact with the short form beside. */
function valueText(value: unknown, isBytes: boolean): string {
  if (isBytes && typeof value === 'number') return `${value} bytes (${formatBytes(value)})`;
  return cellText(value);
}

function rowLines(out: Line[], width: number, c: CommandRecord, row: RowRef, spec: AnyModuleSpec | undefined): void {
  const op = c.operations?.[row.operation];
  const values = op?.rows[row.index];
  if (op === undefined || values === undefined) return;
  out.push({
    text: `── row ${row.index + 1} of ${op.rows.length}, operation ${row.operation + 1} (${sanitize(op.module)})`,
    tone: 'accent',
  });
  const columns = new Map((spec?.columns ?? []).map((col) => [col.key, col]));
  for (const [key, value] of Object.entries(values)) {
    const col = columns.get(key);
    field(out, width, col?.header.toLowerCase() ?? key, valueText(value, col?.isBytes === true));
  }
}

function operationLines(out: Line[], width: number, c: CommandRecord): void {
  for (const [i, op] of (c.operations ?? []).entries()) {
    const warnings =
      op.errors.length === 0 ? '' : `  ${op.errors.length} ${op.errors.length === 1 ? 'warning' : 'warnings'}`;
    text(
      out,
      width,
      `── operation ${i + 1}: ${op.module}  ${op.isFound ? 'found' : 'not found'}  ${op.rows.length} ${op.rows.length === 1 ? 'row' : 'rows'}${warnings}`,
      op.isFound ? 'ok' : 'normal',
    );
    if (op.error !== undefined) text(out, width, `  error ${op.error.code}: ${op.error.message}`, 'error', 2);
    const stats = Object.entries(op.stats).map(([k, v]) => `${k}=${v}`);
    if (stats.length > 0) text(out, width, `  stats ${stats.join('  ')}`, 'dim', 8);
    for (const warning of op.errors) text(out, width, `  ! ${warning}`, 'warn', 4);
  }
}

function headLines(out: Line[], width: number, c: CommandRecord): void {
  field(out, width, 'agent', `${c.agentName} (${c.agentId})`);
  const found = c.isFound === undefined ? '' : c.isFound ? ', found' : ', nothing found';
  field(
    out,
    width,
    'status',
    `${c.status}${found}`,
    c.status === 'success' || c.status === 'sent' ? 'normal' : 'error',
  );
  const trust = answerTrust(c);
  if (trust !== undefined) field(out, width, 'answer', trust.text, trust.tone);
  if (c.sentAt !== undefined) field(out, width, 'sent', c.sentAt);
  if (c.finishedAt !== undefined) {
    const took =
      c.sentAt === undefined ? '' : ` (took ${formatDuration(Date.parse(c.finishedAt) - Date.parse(c.sentAt))})`;
    field(out, width, 'finished', `${c.finishedAt}${took}`);
  }
  if (c.agentAnswer !== undefined)
    field(out, width, 'agent ran', `${c.agentAnswer.startedAt} to ${c.agentAnswer.finishedAt} (agent's clock)`, 'dim');
  if (c.error !== undefined) field(out, width, 'error', `${c.error.code}: ${c.error.message}`, 'error');
}

const cache = new WeakMap<CommandRecord, Map<string, readonly Line[]>>();

/**
 * Everything about one agent's answer, every field whole and wrapped to `width`: who answered and
 * whether its signature holds, times, the chosen result row, then each operation's outcome,
 * stats and warnings. Cached per record, row and width.
 */
export function detailLines(
  c: CommandRecord,
  row: RowRef | undefined,
  width: number,
  modules: ReadonlyMap<string, AnyModuleSpec>,
): readonly Line[] {
  const key = `${row?.operation ?? '-'}:${row?.index ?? '-'}:${width}`;
  let byKey = cache.get(c);
  const cached = byKey?.get(key);
  if (cached !== undefined) return cached;
  const out: Line[] = [];
  headLines(out, width, c);
  if (row !== undefined) rowLines(out, width, c, row, modules.get(c.operations?.[row.operation]?.module ?? ''));
  operationLines(out, width, c);
  if ((c.operations ?? []).length === 0 && c.error === undefined)
    out.push({ text: c.status === 'sent' ? 'waiting for the agent to answer' : 'no operations reported', tone: 'dim' });
  if (byKey === undefined) {
    byKey = new Map();
    cache.set(c, byKey);
  }
  byKey.set(key, out);
  return out;
}
