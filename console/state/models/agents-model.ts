import type { ConsoleSnapshot } from '../console-stores.js';
import { tableHeight } from '../layout.js';
import type { NavEntry } from '../nav.js';
import { agentItems } from '../selectors.js';
import { AGENT_COLUMNS } from './agent-columns.js';
import { buildTable, wideOf, type TableModel } from './table-model.js';

export interface AgentsViewModel {
  title: string;
  table: TableModel;
  /** Loading or load error, shown instead of an empty table. */
  notice: string | undefined;
}

export function agentsViewModel(snap: ConsoleSnapshot, entry: NavEntry): AgentsViewModel {
  const { items } = agentItems(snap, entry);
  const total = snap.agents.byId.size;
  const sort = AGENT_COLUMNS[entry.sortColumn % AGENT_COLUMNS.length];
  const parts = [`Agents ${items.length === total ? total : `${items.length}/${total}`}`];
  if (entry.filter !== '') parts.push(`filter: ${entry.filter}`);
  if (sort !== undefined) parts.push(`sort: ${sort.header.toLowerCase()} ${entry.isSortDescending ? '↓' : '↑'}`);
  const notice = snap.agents.loadError ?? (snap.agents.isLoaded ? undefined : 'loading agents…');
  return {
    title: parts.join('  '),
    notice,
    table: buildTable({
      defs: AGENT_COLUMNS,
      items,
      win: entry,
      height: tableHeight('agents', snap.ui.size),
      width: snap.ui.size.columns,
      nowMs: snap.nowMs,
      keyOf: (a) => a.id,
      wide: wideOf(snap.ui, entry),
      emptyText: entry.filter === '' ? 'no agents yet' : 'no agent matches the filter',
    }),
  };
}
