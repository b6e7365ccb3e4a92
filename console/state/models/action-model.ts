import type { ActionRecord } from '../backend.js';
import type { Tone } from '../columns.js';
import type { ConsoleSnapshot } from '../console-stores.js';
import { tableHeight } from '../layout.js';
import type { FoundFilter, NavEntry } from '../nav.js';
import { resultColumns, warningCount, warningsText } from '../results.js';
import type { Investigation } from '../investigations-state.js';
import { actionRecordOf, resultItems } from '../selectors.js';
import { sanitize, shortFingerprint } from '../text.js';
import { isAwaitingApproval } from '../approval-state.js';
import { actionStatusTone } from './actions-model.js';
import { approvalPanelModel, type ApprovalPanelModel } from './approval-model.js';
import { buildTable, wideOf, type TableModel } from './table-model.js';

export interface CounterModel {
  label: string;
  value: number;
  tone: Tone;
}

export interface ActionViewModel {
  title: string;
  status: string;
  statusTone: Tone;
  /** 0..1 of targeted commands that are done. */
  ratio: number;
  progressText: string;
  counters: CounterModel[];
  found: FoundFilter;
  table: TableModel;
  notice: string | undefined;
  /** Set while the action waits for a second investigator: its exact JSON replaces the results. */
  approval: ApprovalPanelModel | undefined;
}

const warningCache = new WeakMap<Investigation, { warnings: number; agents: number }>();

/** Warnings across every answer loaded: how many, from how many agents. */
function warningsOf(inv: Investigation | undefined): { warnings: number; agents: number } {
  if (inv === undefined) return { warnings: 0, agents: 0 };
  let cached = warningCache.get(inv);
  if (cached === undefined) {
    cached = { warnings: 0, agents: 0 };
    for (const c of inv.commands.values()) {
      const n = warningCount(c);
      cached.warnings += n;
      if (n > 0) cached.agents += 1;
    }
    warningCache.set(inv, cached);
  }
  return cached;
}

/** "4/4 done — nothing found, 3 warnings": a search with warnings may have missed something. */
function progressText(record: ActionRecord | undefined, warnings: number): string {
  const done = `${record?.counters.done ?? 0}/${record?.counters.targeted ?? 0} done`;
  if (warnings === 0 || record === undefined) return done;
  const isNothing = record.counters.found === 0 && record.counters.done > 0;
  return `${done} — ${isNothing ? 'nothing found, ' : ''}${warningsText(warnings)}`;
}

function counters(record: ActionRecord | undefined): CounterModel[] {
  const c = record?.counters;
  const item = (label: string, value: number | undefined, tone: Tone): CounterModel => ({
    label,
    value: value ?? 0,
    tone,
  });
  return [
    item('sent', c?.sent, 'normal'),
    item('ok', c?.success, 'ok'),
    item('failed', c?.failed, 'error'),
    item('timeout', c?.timeout, 'warn'),
    item('expired', c?.expired, 'warn'),
    item('cancelled', c?.cancelled, 'dim'),
    item('found', c?.found, 'accent'),
  ];
}

export function actionViewModel(snap: ConsoleSnapshot, entry: NavEntry): ActionViewModel | undefined {
  if (entry.view.kind !== 'action') return undefined;
  const actionId = entry.view.actionId;
  const inv = snap.investigations.byAction.get(actionId);
  const record = actionRecordOf(snap, actionId);
  const items = resultItems(snap, entry);
  const targeted = record?.counters.targeted ?? 0;
  const done = record?.counters.done ?? 0;
  const warned = warningsOf(inv);
  const by = record === undefined ? '' : ` by ${record.investigators.map(shortFingerprint).join(',')}`;
  const name = record === undefined ? actionId.slice(0, 12) : sanitize(record.action.name);
  const approval =
    record !== undefined && isAwaitingApproval(record)
      ? approvalPanelModel({
          record,
          entry,
          size: snap.ui.size,
          nowMs: snap.nowMs,
          modules: snap.modules,
          investigators: snap.investigators.list,
          me: snap.ui.me,
        })
      : undefined;
  return {
    approval,
    title: `Action ${name}${by}  target: ${sanitize(record?.action.target ?? '?')}${entry.filter === '' ? '' : `  filter: ${entry.filter}`}`,
    status: approval === undefined ? (record?.status ?? 'loading') : 'pending approval',
    statusTone: approval === undefined ? actionStatusTone(record?.status ?? 'pending') : 'warn',
    ratio: targeted === 0 ? 0 : Math.min(1, done / targeted),
    progressText: progressText(record, warned.warnings),
    // Agents whose answer came with warnings; shown only when there are some (80 columns are tight).
    counters: [
      ...counters(record),
      ...(warned.agents === 0 ? [] : [{ label: 'warned', value: warned.agents, tone: 'warn' as const }]),
    ],
    found: entry.found,
    notice: inv?.loadError ?? (inv === undefined || inv.isLoading ? 'loading results…' : undefined),
    table: buildTable({
      defs: resultColumns(record, snap.modules),
      items,
      win: entry,
      height: tableHeight('action', snap.ui.size),
      width: snap.ui.size.columns,
      nowMs: snap.nowMs,
      keyOf: (r) => r.key,
      wide: wideOf(snap.ui, entry),
      emptyText:
        entry.found === 'all'
          ? 'no results yet'
          : `no ${entry.found === 'found' ? 'found' : 'not-found'} results (f cycles)`,
    }),
  };
}
