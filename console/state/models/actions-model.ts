import type { ActionRecord } from '../backend.js';
import type { ColumnDef, Tone } from '../columns.js';
import type { ConsoleSnapshot } from '../console-stores.js';
import { tableHeight } from '../layout.js';
import type { NavEntry } from '../nav.js';
import { approvalText, awaitingApprovalList } from '../approval-state.js';
import { actionItems } from '../selectors.js';
import { formatDuration, sanitize, shortFingerprint } from '../text.js';
import { timeColumn } from './time-column.js';
import { buildTable, wideOf, type TableModel } from './table-model.js';

/** The status column: a held action says how many signatures it has and needs, in the warning tone. */
function statusText(r: ActionRecord): string {
  return approvalText(r) ?? r.status;
}

export function actionStatusTone(status: string): Tone {
  if (status === 'completed') return 'ok';
  if (status === 'inflight' || status === 'pending') return 'accent';
  if (status === 'invalid') return 'error';
  return 'warn';
}

function durationText(r: ActionRecord, now: number): string {
  const end = r.finishedAt === undefined ? now : Date.parse(r.finishedAt);
  return formatDuration(end - Date.parse(r.createdAt));
}

function counter(key: keyof ActionRecord['counters'], header: string): ColumnDef<ActionRecord> {
  return { key, header, width: Math.max(4, header.length), align: 'right', text: (r) => String(r.counters[key]) };
}

// Alike on purpose (duplicates): the column table, one entry a column (k9s: columns as data);
// entries share their shape, not logic.
/** The action history table, as data. */
export const ACTION_COLUMNS: readonly ColumnDef<ActionRecord>[] = [
  { key: 'name', header: 'NAME', width: 10, isFlex: true, text: (r) => sanitize(r.action.name) },
  { key: 'by', header: 'BY', width: 8, isWide: true, text: (r) => r.investigators.map(shortFingerprint).join(',') },
  {
    key: 'modules',
    header: 'MODULES',
    width: 7,
    text: (r) => sanitize([...new Set(r.action.operations.map((o) => o.module))].join(',')),
  },
  { key: 'target', header: 'TARGET', width: 10, isFlex: true, isWide: true, text: (r) => sanitize(r.action.target) },
  {
    key: 'status',
    header: 'STATUS',
    width: 9,
    text: statusText,
    tone: (r) => (approvalText(r) === undefined ? actionStatusTone(r.status) : 'warn'),
  },
  counter('sent', 'SENT'),
  counter('done', 'DONE'),
  counter('success', 'OK'),
  counter('failed', 'FAIL'),
  { ...counter('expired', 'EXP'), isWide: true },
  timeColumn('started', 'STARTED', 7, (r) => r.createdAt),
  { key: 'duration', header: 'TOOK', width: 6, align: 'right', isWide: true, text: durationText },
];

export interface ActionsViewModel {
  title: string;
  /** Actions held for a second investigator: shown beside the title in the warning tone. */
  alert: string | undefined;
  table: TableModel;
  notice: string | undefined;
}

export function actionsViewModel(snap: ConsoleSnapshot, entry: NavEntry): ActionsViewModel {
  const items = actionItems(snap, entry);
  const isPendingOnly = entry.view.kind === 'actions' && entry.view.isPendingOnly === true;
  const waiting = awaitingApprovalList(snap.actions).length;
  const total = isPendingOnly ? waiting : snap.actions.byId.size;
  const name = isPendingOnly ? 'Awaiting approval' : 'Actions';
  const title = [
    `${name} ${items.length === total ? total : `${items.length}/${total}`}`,
    entry.filter === '' ? '' : `filter: ${entry.filter}`,
  ]
    .filter((p) => p !== '')
    .join('  ');
  const emptyText = isPendingOnly
    ? 'no action is waiting for a second investigator'
    : entry.filter === ''
      ? 'no actions yet: press n (or :launch) to start a hunt'
      : 'no action matches the filter';
  return {
    title,
    alert: !isPendingOnly && waiting > 0 ? `${waiting} awaiting approval (:pending; a approves)` : undefined,
    notice: snap.actions.loadError ?? (snap.actions.isLoaded ? undefined : 'loading actions…'),
    table: buildTable({
      defs: ACTION_COLUMNS,
      items,
      win: entry,
      height: tableHeight('actions', snap.ui.size),
      width: snap.ui.size.columns,
      nowMs: snap.nowMs,
      keyOf: (r) => r.action.id,
      wide: wideOf(snap.ui, entry),
      emptyText,
    }),
  };
}
