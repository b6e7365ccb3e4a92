import type { TargetContext } from '../../protocol/target/index.js';
import { effectiveFilter, filterAgents } from './agent-filter.js';
import { actionList } from './actions-state.js';
import { awaitingApprovalList, isAwaitingApproval } from './approval-state.js';
import type { ActionRecord, AgentRecord, CommandRecord, InvestigatorRecord } from './backend.js';
import type { ConsoleSnapshot } from './console-stores.js';
import { foundSets, type InvestigationsState } from './investigations-state.js';
import { sortAgents } from './models/agent-columns.js';
import { topEntry, type NavEntry } from './nav.js';
import { investigationRows, type ResultRow } from './results.js';
import { cellText } from './text.js';

/**
 * Which items each view lists, shared by the view models (what to draw) and the controller
 * (how far the cursor may move, what Enter opens). All cached on their inputs.
 */

/** The `/` text being typed in the top view, if any. */
export function filterDraft(snap: ConsoleSnapshot, entry: NavEntry): string | undefined {
  const overlay = snap.ui.overlay;
  return overlay.kind === 'filter' && entry === topEntry(snap.ui.nav) ? overlay.text : undefined;
}

const contextCache = new WeakMap<InvestigationsState, TargetContext>();

/** found()/notfound() in a local filter know only the actions opened in this console. */
export function targetContext(state: InvestigationsState): TargetContext {
  let ctx = contextCache.get(state);
  if (ctx === undefined) {
    const sets = (id: string): ReturnType<typeof foundSets> | undefined => {
      const inv = state.byAction.get(id);
      return inv === undefined || inv.isLoading ? undefined : foundSets(inv);
    };
    ctx = { found: (id) => sets(id)?.found, notFound: (id) => sets(id)?.notFound };
    contextCache.set(state, ctx);
  }
  return ctx;
}

export function agentItems(
  snap: ConsoleSnapshot,
  entry: NavEntry,
): { items: readonly AgentRecord[]; error: string | undefined } {
  const { expr, error } = effectiveFilter(entry.filter, filterDraft(snap, entry));
  const filtered = filterAgents(snap.agents, expr, targetContext(snap.investigations));
  return { items: sortAgents(filtered, entry.sortColumn, entry.isSortDescending), error };
}

function textFilter<T>(items: readonly T[], text: string | undefined, haystack: (item: T) => string): readonly T[] {
  const needle = (text ?? '').trim().toLowerCase();
  if (needle === '') return items;
  return items.filter((item) => haystack(item).toLowerCase().includes(needle));
}

function appliedOrDraft(snap: ConsoleSnapshot, entry: NavEntry): string {
  return filterDraft(snap, entry) ?? entry.filter;
}

export function actionItems(snap: ConsoleSnapshot, entry: NavEntry): readonly ActionRecord[] {
  const isPendingOnly = entry.view.kind === 'actions' && entry.view.isPendingOnly === true;
  const all = isPendingOnly ? awaitingApprovalList(snap.actions) : actionList(snap.actions);
  return textFilter(all, appliedOrDraft(snap, entry), (r) =>
    [r.action.name, r.action.target, r.status, r.action.id, ...r.action.operations.map((o) => o.module)].join(' '),
  );
}

const resultFilterCache = new WeakMap<readonly ResultRow[], Map<string, readonly ResultRow[]>>();

export function resultItems(snap: ConsoleSnapshot, entry: NavEntry): readonly ResultRow[] {
  if (entry.view.kind !== 'action') return [];
  const inv = snap.investigations.byAction.get(entry.view.actionId);
  if (inv === undefined) return [];
  const rows = investigationRows(inv, entry.found);
  const text = appliedOrDraft(snap, entry);
  let byText = resultFilterCache.get(rows);
  const cached = byText?.get(text);
  if (cached !== undefined) return cached;
  const out = textFilter(rows, text, (r) =>
    [r.agentName, r.status, r.note, ...Object.values(r.values).map(cellText)].join(' '),
  );
  if (byText === undefined) {
    byText = new Map();
    resultFilterCache.set(rows, byText);
  }
  byText.set(text, out);
  return out;
}

export function investigatorItems(snap: ConsoleSnapshot, entry: NavEntry): readonly InvestigatorRecord[] {
  return textFilter(
    snap.investigators.list,
    appliedOrDraft(snap, entry),
    (r) => `${r.name} ${r.fingerprint} ${r.status}`,
  );
}

/** The record an action view shows: the opened investigation's, else the history's. */
export function actionRecordOf(snap: ConsoleSnapshot, actionId: string): ActionRecord | undefined {
  return snap.investigations.byAction.get(actionId)?.record ?? snap.actions.byId.get(actionId);
}

/** The action of an action view while it waits for approval: the view is then its JSON, scrolled like text. */
export function heldActionOf(snap: ConsoleSnapshot, entry: NavEntry): ActionRecord | undefined {
  if (entry.view.kind !== 'action') return undefined;
  const record = actionRecordOf(snap, entry.view.actionId);
  return record !== undefined && isAwaitingApproval(record) ? record : undefined;
}

export function agentCommandItems(snap: ConsoleSnapshot, agentId: string): readonly CommandRecord[] {
  return snap.investigations.recentByAgent.get(agentId) ?? [];
}

export function findCommand(snap: ConsoleSnapshot, actionId: string, commandId: string): CommandRecord | undefined {
  const fromInvestigation = snap.investigations.byAction.get(actionId)?.commands.get(commandId);
  if (fromInvestigation !== undefined) return fromInvestigation;
  for (const list of snap.investigations.recentByAgent.values()) {
    const found = list.find((c) => c.id === commandId);
    if (found !== undefined) return found;
  }
  return undefined;
}
