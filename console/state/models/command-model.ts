import type { ConsoleSnapshot } from '../console-stores.js';
import { tableHeight } from '../layout.js';
import type { NavEntry } from '../nav.js';
import { findCommand } from '../selectors.js';
import { clampWindow } from '../table-window.js';
import { sanitize } from '../text.js';
import { detailLines, type Line } from './detail-lines.js';

export type { Line };

export interface CommandViewModel {
  title: string;
  summary: string;
  lines: Line[];
  /** Index of the first line shown. */
  offset: number;
  total: number;
}

/** Every line of the command view on top of the stack (also what its scrolling counts). */
export function commandViewLines(snap: ConsoleSnapshot, entry: NavEntry): readonly Line[] {
  if (entry.view.kind !== 'command') return [];
  const command = findCommand(snap, entry.view.actionId, entry.view.commandId);
  return command === undefined ? [] : detailLines(command, entry.view.row, snap.ui.size.columns, snap.modules);
}

export function commandViewModel(snap: ConsoleSnapshot, entry: NavEntry): CommandViewModel | undefined {
  if (entry.view.kind !== 'command') return undefined;
  const command = findCommand(snap, entry.view.actionId, entry.view.commandId);
  const action =
    snap.actions.byId.get(entry.view.actionId) ?? snap.investigations.byAction.get(entry.view.actionId)?.record;
  if (command === undefined) {
    return { title: 'Command', summary: 'this command is no longer loaded', lines: [], offset: 0, total: 0 };
  }
  const lines = commandViewLines(snap, entry);
  const height = tableHeight('command', snap.ui.size);
  const win = clampWindow(entry, lines.length, height);
  const what = entry.view.row === undefined ? 'Answer' : 'Result';
  const shown =
    lines.length <= height
      ? ''
      : `  lines ${win.offset + 1}-${Math.min(lines.length, win.offset + height)} of ${lines.length} (↑/↓ scroll)`;
  return {
    title: sanitize(`${what} of ${command.agentName}  action ${action?.action.name ?? command.actionId.slice(0, 12)}`),
    summary: `action ${command.actionId}  command ${command.id}${shown}`,
    lines: lines.slice(win.offset, win.offset + height),
    offset: win.offset,
    total: lines.length,
  };
}
