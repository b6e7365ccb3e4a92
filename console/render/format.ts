import type { ColumnSpec } from '../../protocol/module-spec.js';

const UNITS = ['B', 'K', 'M', 'G', 'T', 'P', 'E'] as const;

/**
 * A byte count the k9s way: `512B`, `1.5K`, `15K`, `1.2M` (powers of 1024, one decimal below 10).
 * Anything that is not a non-negative finite number is shown as given rather than guessed at.
 */
export function formatBytes(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return String(value);
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(n)}B`;
  // 9.96 would round up to "10.0": switch to whole numbers when the rounded value reaches 10.
  const text = Math.round(n * 10) / 10 < 10 ? n.toFixed(1) : String(Math.round(n));
  return `${text}${UNITS[unit]}`;
}

const RELATIVE_STEPS: readonly [limitMs: number, unitMs: number, suffix: string][] = [
  [60_000, 1000, 's'],
  [3_600_000, 60_000, 'm'],
  [86_400_000, 3_600_000, 'h'],
  [365 * 86_400_000, 86_400_000, 'd'],
];

/**
 * An ISO time, short: `2024-05-01 12:34:56 UTC`, or relative to `now` (`3m ago`, `in 2h`) when
 * given and within a year. Output for files and pipes passes no `now`, so it stays stable and
 * greppable. A value that is not a time is shown as given.
 */
export function formatTime(value: unknown, now?: Date): string {
  const ms = typeof value === 'string' || typeof value === 'number' ? new Date(value).getTime() : Number.NaN;
  if (Number.isNaN(ms)) return String(value);
  if (now !== undefined) {
    const delta = now.getTime() - ms;
    const step = RELATIVE_STEPS.find(([limit]) => Math.abs(delta) < limit);
    if (step !== undefined) {
      const amount = `${Math.floor(Math.abs(delta) / step[1])}${step[2]}`;
      return delta >= 0 ? `${amount} ago` : `in ${amount}`;
    }
  }
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A cell value as plain text: arrays joined with commas, objects as JSON, nothing as ''. */
export function plainText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(plainText).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A cell for people: the column's byte and time formatting applied. */
export function formatCell(value: unknown, column: Pick<ColumnSpec, 'isBytes' | 'isTime'>, now?: Date): string {
  if (value === undefined || value === null) return '';
  if (column.isBytes === true) return formatBytes(value);
  if (column.isTime === true) return formatTime(value, now);
  return plainText(value);
}

/**
 * Control characters made visible. Agent names, paths and messages come from endpoints and are
 * hostile: a raw ESC or newline in them could rewrite the investigator's terminal or forge lines.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    if (ch === '\r') return '\\r';
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
