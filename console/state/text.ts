import { BaseError, UserError } from '../../protocol/errors.js';

// C0 and C1 controls (ESC included) and DEL: agent names, tags and result rows come from the
// network and are attacker-controlled; an escape sequence in a hostname must not drive the terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** One display line from untrusted text: controls become spaces. */
export function sanitize(text: string): string {
  return text.replace(CONTROL, ' ');
}

/** Display form of any value in a result cell. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return sanitize(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value))
    return sanitize(value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(','));
  return sanitize(JSON.stringify(value));
}

/** "1 agent", "2 agents": a count with its noun in the right number (`plural` for irregular ones). */
export function count(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** Pads or cuts text to exactly `width` columns (an ellipsis marks a cut). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

/** A short OpenPGP fingerprint: its last 8 hex digits, like a short key id. */
export function shortFingerprint(fp: string): string {
  return fp.slice(-8);
}

/** "12s", "5m", "3h", "2d": how long ago, rounded down. */
export function relativeTime(isoOrMs: string | number | undefined, nowMs: number): string {
  if (isoOrMs === undefined) return '';
  const ms = typeof isoOrMs === 'number' ? isoOrMs : Date.parse(isoOrMs);
  if (Number.isNaN(ms)) return '?';
  const ago = nowMs - ms;
  return ago < 0 ? 'now' : formatDuration(ago);
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 === 0 ? '' : `${s % 60}s`}`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}

/** HH:MM:SS in local time, for the header clock. */
export function clockText(nowMs: number): string {
  const d = new Date(nowMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** "2024-05-01 12:00": an absolute time that fits a column. */
export function shortTime(iso: string | undefined): string {
  if (iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '?';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(value < 10 ? 1 : 0)}${units[unit]}`;
}

/**
 * What the flash line says about a failure: the message and hint of a coded error, one line,
 * never a stack trace (the person at the keyboard can do nothing with one).
 */
export function errorText(err: unknown): string {
  let text: string;
  if (err instanceof UserError && err.hint !== undefined) text = `${err.message} (${err.hint})`;
  else if (err instanceof BaseError) text = err.message;
  else if (err instanceof Error) text = err.message;
  else text = String(err);
  const firstLine = text.split('\n')[0] ?? '';
  return sanitize(firstLine === '' ? 'unknown error' : firstLine);
}
