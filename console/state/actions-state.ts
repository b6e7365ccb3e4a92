import { isAwaitingApproval } from '../../protocol/api.js';
import type { ActionRecord } from './backend.js';

// Alike on purpose (duplicates): each store's state (agents-state.ts has the same outline: by id,
// loaded, load error) with its own record and reducers.
/** Action history, newest first, kept current by live `action` events. */
export interface ActionsState {
  byId: ReadonlyMap<string, ActionRecord>;
  isLoaded: boolean;
  loadError: string | undefined;
}

export const emptyActions: ActionsState = { byId: new Map(), isLoaded: false, loadError: undefined };

export function loadedActions(records: readonly ActionRecord[]): ActionsState {
  return { byId: new Map(records.map((r) => [r.action.id, r])), isLoaded: true, loadError: undefined };
}

export function upsertActions(state: ActionsState, records: readonly ActionRecord[]): ActionsState {
  if (records.length === 0) return state;
  const byId = new Map(state.byId);
  for (const record of records) byId.set(record.action.id, record);
  return { ...state, byId };
}

export function actionsLoadFailed(state: ActionsState, message: string): ActionsState {
  return { ...state, isLoaded: true, loadError: message };
}

const listCache = new WeakMap<ActionsState, readonly ActionRecord[]>();

export function actionList(state: ActionsState): readonly ActionRecord[] {
  const cached = listCache.get(state);
  if (cached !== undefined) return cached;
  // ISO times with the same offset sort as strings; ids break ties so the order is stable.
  const list = [...state.byId.values()].sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || a.action.id.localeCompare(b.action.id),
  );
  listCache.set(state, list);
  return list;
}

/** Running or about to: an action held for approval is not (the header counts those apart). */
export function isInFlight(record: ActionRecord): boolean {
  return record.status === 'inflight' || (record.status === 'pending' && !isAwaitingApproval(record));
}

export function inFlightCount(state: ActionsState): number {
  let n = 0;
  for (const record of state.byId.values()) if (isInFlight(record)) n++;
  return n;
}
