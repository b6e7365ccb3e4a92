import type { ConsoleSnapshot } from './console-stores.js';
import { commandViewLines } from './models/command-model.js';
import type { NavEntry } from './nav.js';
import { actionJsonLines } from './models/preview.js';
import {
  actionItems,
  agentCommandItems,
  agentItems,
  heldActionOf,
  investigatorItems,
  resultItems,
} from './selectors.js';

/** How many rows the entry's table has: how far the cursor may go. */
export function rowCountOf(snap: ConsoleSnapshot, entry: NavEntry): number {
  const view = entry.view;
  switch (view.kind) {
    case 'agents':
      return agentItems(snap, entry).items.length;
    case 'actions':
      return actionItems(snap, entry).length;
    case 'action': {
      const held = heldActionOf(snap, entry);
      return held === undefined ? resultItems(snap, entry).length : actionJsonLines(held.action).length;
    }
    case 'investigators':
      return investigatorItems(snap, entry).length;
    case 'agent':
      return agentCommandItems(snap, view.agentId).length;
    case 'command':
      return commandViewLines(snap, entry).length;
    case 'launcher':
      return 0;
  }
}

function at<T>(items: readonly T[], entry: NavEntry): T | undefined {
  return items[Math.min(entry.cursor, items.length - 1)];
}

export const selected = {
  agent: (snap: ConsoleSnapshot, entry: NavEntry) => at(agentItems(snap, entry).items, entry),
  action: (snap: ConsoleSnapshot, entry: NavEntry) => at(actionItems(snap, entry), entry),
  result: (snap: ConsoleSnapshot, entry: NavEntry) => at(resultItems(snap, entry), entry),
  investigator: (snap: ConsoleSnapshot, entry: NavEntry) => at(investigatorItems(snap, entry), entry),
  agentCommand: (snap: ConsoleSnapshot, entry: NavEntry) =>
    entry.view.kind === 'agent' ? at(agentCommandItems(snap, entry.view.agentId), entry) : undefined,
};
