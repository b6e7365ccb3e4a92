import type { ConsoleSnapshot } from '../console-stores.js';
import type { NavEntry } from '../nav.js';
import { actionViewModel } from './action-model.js';
import { actionsViewModel } from './actions-model.js';
import { agentViewModel } from './agent-model.js';
import { agentsViewModel } from './agents-model.js';
import { investigatorsViewModel } from './investigators-model.js';
import type { TableModel } from './table-model.js';

/** The table a view shows, if it shows one (keys that act on columns ask it how many there are). */
export function tableOf(snap: ConsoleSnapshot, entry: NavEntry): TableModel | undefined {
  switch (entry.view.kind) {
    case 'agents':
      return agentsViewModel(snap, entry).table;
    case 'actions':
      return actionsViewModel(snap, entry).table;
    case 'action': {
      const model = actionViewModel(snap, entry);
      return model?.approval === undefined ? model?.table : undefined;
    }
    case 'agent':
      return agentViewModel(snap, entry)?.table;
    case 'investigators':
      return investigatorsViewModel(snap, entry).table;
    default:
      return undefined;
  }
}
