import type { InvestigatorRecord } from '../backend.js';
import type { ColumnDef } from '../columns.js';
import type { ConsoleSnapshot } from '../console-stores.js';
import { tableHeight } from '../layout.js';
import type { NavEntry } from '../nav.js';
import { investigatorItems } from '../selectors.js';
import { sanitize, shortFingerprint, shortTime } from '../text.js';
import { buildTable, wideOf, type TableModel } from './table-model.js';

export const INVESTIGATOR_COLUMNS: readonly ColumnDef<InvestigatorRecord>[] = [
  { key: 'name', header: 'NAME', width: 12, isFlex: true, text: (r) => sanitize(r.name) },
  { key: 'fp', header: 'KEY', width: 8, text: (r) => shortFingerprint(r.fingerprint) },
  { key: 'fingerprint', header: 'FINGERPRINT', width: 40, isWide: true, text: (r) => r.fingerprint },
  { key: 'admin', header: 'ADMIN', width: 5, text: (r) => (r.isAdmin ? 'yes' : '') },
  {
    key: 'status',
    header: 'STATUS',
    width: 8,
    text: (r) => r.status,
    tone: (r) => (r.status === 'active' ? 'ok' : 'warn'),
  },
  {
    key: 'created',
    header: 'ADDED',
    width: 16,
    isWide: true,
    text: (r) => shortTime(r.createdAt),
    wideText: (r) => r.createdAt,
  },
];

export interface InvestigatorsViewModel {
  title: string;
  table: TableModel;
  notice: string | undefined;
}

export function investigatorsViewModel(snap: ConsoleSnapshot, entry: NavEntry): InvestigatorsViewModel {
  const items = investigatorItems(snap, entry);
  return {
    title: `Investigators ${items.length}${entry.filter === '' ? '' : `  filter: ${entry.filter}`}`,
    notice: snap.investigators.loadError ?? (snap.investigators.isLoaded ? undefined : 'loading investigators…'),
    table: buildTable({
      defs: INVESTIGATOR_COLUMNS,
      items,
      win: entry,
      height: tableHeight('investigators', snap.ui.size),
      width: snap.ui.size.columns,
      nowMs: snap.nowMs,
      keyOf: (r) => r.fingerprint,
      wide: wideOf(snap.ui, entry),
      emptyText: 'no investigators',
    }),
  };
}
