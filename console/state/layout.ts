import type { ViewKind } from './nav.js';
import type { TerminalSize } from './ui-state.js';

/** Header: server/investigator line and fleet line. */
export const HEADER_LINES = 2;
/** Footer: keys (or the active prompt) and the flash line. */
export const FOOTER_LINES = 2;
/** Agent view: lines of details above its recent-commands table. */
export const AGENT_DETAIL_LINES = 8;

export function bodyHeight(size: TerminalSize): number {
  return Math.max(1, size.rows - HEADER_LINES - FOOTER_LINES);
}

// Lines each view spends above its table: title, table header, and per-view extras.
const CHROME: Record<ViewKind, number> = {
  agents: 2,
  actions: 2,
  investigators: 2,
  // title, progress bar, counters, table header
  action: 4,
  agent: 2 + AGENT_DETAIL_LINES,
  // title and summary line; the rest scrolls
  command: 2,
  launcher: 1,
};

/** Rows of table (or list) the view can show at this size: what paging and scrolling use. */
export function tableHeight(view: ViewKind, size: TerminalSize): number {
  return Math.max(1, bodyHeight(size) - CHROME[view]);
}
