import type { CommandRecord } from '../backend.js';
import type { Tone } from '../columns.js';
import type { ConsoleSnapshot } from '../console-stores.js';
import { tableHeight } from '../layout.js';
import type { NavEntry } from '../nav.js';
import { findCommand } from '../selectors.js';
import { clampWindow } from '../table-window.js';
import { formatDuration, sanitize } from '../text.js';

export interface Line {
  text: string;
  tone: Tone;
}

export interface CommandViewModel {
  title: string;
  summary: string;
  lines: Line[];
  /** Index of the first line shown. */
  offset: number;
  total: number;
}

const lineCache = new WeakMap<CommandRecord, Line[]>();

/** Everything an agent said about one command: per-operation outcome, stats and errors. */
export function commandLines(c: CommandRecord): Line[] {
  const cached = lineCache.get(c);
  if (cached !== undefined) return cached;
  const lines: Line[] = [];
  const push = (text: string, tone: Tone = 'normal'): void => {
    lines.push({ text: sanitize(text), tone });
  };
  if (c.error !== undefined) push(`error ${c.error.code}: ${c.error.message}`, 'error');
  for (const [i, op] of (c.operations ?? []).entries()) {
    push(`operation ${i + 1}: ${op.module}  ${op.isFound ? 'found' : 'not found'}  ${op.rows.length} rows`, op.isFound ? 'ok' : 'normal');
    if (op.error !== undefined) push(`  error ${op.error.code}: ${op.error.message}`, 'error');
    const stats = Object.entries(op.stats).map(([k, v]) => `${k}=${v}`);
    if (stats.length > 0) push(`  stats ${stats.join('  ')}`, 'dim');
    for (const e of op.errors) push(`  ! ${e}`, 'warn');
  }
  if (lines.length === 0) push(c.status === 'sent' ? 'waiting for the agent to answer' : 'no operations reported', 'dim');
  lineCache.set(c, lines);
  return lines;
}

export function commandViewModel(snap: ConsoleSnapshot, entry: NavEntry): CommandViewModel | undefined {
  if (entry.view.kind !== 'command') return undefined;
  const command = findCommand(snap, entry.view.actionId, entry.view.commandId);
  const action = snap.actions.byId.get(entry.view.actionId);
  if (command === undefined) {
    return { title: 'Command', summary: 'this command is no longer loaded', lines: [], offset: 0, total: 0 };
  }
  const lines = commandLines(command);
  const height = tableHeight('command', snap.ui.size);
  const win = clampWindow(entry, lines.length, height);
  const took =
    command.sentAt !== undefined && command.finishedAt !== undefined
      ? `  took ${formatDuration(Date.parse(command.finishedAt) - Date.parse(command.sentAt))}`
      : '';
  return {
    title: sanitize(`Command on ${command.agentName}  action ${action?.action.name ?? command.actionId.slice(0, 12)}`),
    summary: `status ${command.status}  found ${command.isFound === undefined ? '?' : command.isFound ? 'yes' : 'no'}${took}`,
    lines: lines.slice(win.offset, win.offset + height),
    offset: win.offset,
    total: lines.length,
  };
}
