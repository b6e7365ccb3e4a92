import type { ActionRecord, CommandRecord } from './backend.js';

/**
 * Opened actions and their commands (one per agent). Commands of actions nobody opened are
 * kept only in the per-agent index that feeds the agent view's "recent commands".
 */
export interface Investigation {
  actionId: string;
  record: ActionRecord | undefined;
  /** By command id. */
  commands: ReadonlyMap<string, CommandRecord>;
  isLoading: boolean;
  loadError: string | undefined;
}

export interface InvestigationsState {
  byAction: ReadonlyMap<string, Investigation>;
  /** Newest first, at most RECENT_PER_AGENT each. */
  recentByAgent: ReadonlyMap<string, readonly CommandRecord[]>;
}

export const RECENT_PER_AGENT = 50;

export const emptyInvestigations: InvestigationsState = { byAction: new Map(), recentByAgent: new Map() };

function withInvestigation(state: InvestigationsState, inv: Investigation): InvestigationsState {
  const byAction = new Map(state.byAction);
  byAction.set(inv.actionId, inv);
  return { ...state, byAction };
}

export function startLoading(state: InvestigationsState, actionId: string): InvestigationsState {
  const existing = state.byAction.get(actionId);
  const base: Investigation = existing ?? {
    actionId,
    record: undefined,
    commands: new Map(),
    isLoading: false,
    loadError: undefined,
  };
  return withInvestigation(state, { ...base, isLoading: true, loadError: undefined });
}

export function loadFailed(state: InvestigationsState, actionId: string, message: string): InvestigationsState {
  const inv = state.byAction.get(actionId);
  if (inv === undefined) return state;
  return withInvestigation(state, { ...inv, isLoading: false, loadError: message });
}

/** The first page arrived (or every page): commands already streamed in live are kept. */
export function loaded(
  state: InvestigationsState,
  record: ActionRecord,
  commands: readonly CommandRecord[],
): InvestigationsState {
  const inv = state.byAction.get(record.action.id);
  const merged = new Map<string, CommandRecord>(commands.map((c) => [c.id, c]));
  for (const [id, live] of inv?.commands ?? []) if (isNewer(live, merged.get(id))) merged.set(id, live);
  const next = withInvestigation(state, {
    actionId: record.action.id,
    record,
    commands: merged,
    isLoading: false,
    loadError: undefined,
  });
  return indexByAgent(next, commands);
}

export function upsertActionRecords(state: InvestigationsState, records: readonly ActionRecord[]): InvestigationsState {
  let next = state;
  for (const record of records) {
    const inv = next.byAction.get(record.action.id);
    if (inv !== undefined) next = withInvestigation(next, { ...inv, record });
  }
  return next;
}

/** Live command events, applied in one batch per frame. */
export function upsertCommands(state: InvestigationsState, commands: readonly CommandRecord[]): InvestigationsState {
  if (commands.length === 0) return state;
  const byAction = new Map(state.byAction);
  const touched = new Map<string, Map<string, CommandRecord>>();
  for (const command of commands) {
    const inv = byAction.get(command.actionId);
    if (inv === undefined) continue;
    let map = touched.get(command.actionId);
    if (map === undefined) {
      map = new Map(inv.commands);
      touched.set(command.actionId, map);
    }
    if (isNewer(command, map.get(command.id))) map.set(command.id, command);
  }
  for (const [actionId, map] of touched) {
    const inv = byAction.get(actionId);
    if (inv !== undefined) byAction.set(actionId, { ...inv, commands: map });
  }
  return indexByAgent({ ...state, byAction }, commands);
}

/** Replaces the agent's recent list (the backend answered listAgentCommands). */
export function setAgentCommands(
  state: InvestigationsState,
  agentId: string,
  commands: readonly CommandRecord[],
): InvestigationsState {
  const recentByAgent = new Map(state.recentByAgent);
  recentByAgent.set(agentId, commands.slice(0, RECENT_PER_AGENT));
  return { ...state, recentByAgent };
}

function indexByAgent(state: InvestigationsState, commands: readonly CommandRecord[]): InvestigationsState {
  if (commands.length === 0) return state;
  const recentByAgent = new Map(state.recentByAgent);
  for (const command of commands) {
    const list = (recentByAgent.get(command.agentId) ?? []).filter((c) => c.id !== command.id);
    list.push(command);
    list.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    recentByAgent.set(command.agentId, list.slice(0, RECENT_PER_AGENT));
  }
  return { ...state, recentByAgent };
}

// A late page must not overwrite a result that already streamed in: a terminal status wins over `sent`.
function isNewer(candidate: CommandRecord, current: CommandRecord | undefined): boolean {
  if (current === undefined) return true;
  if (current.status !== 'sent' && candidate.status === 'sent') return false;
  return true;
}

/** Agent ids that found / did not find something, for found() and notfound() in local filters. */
export function foundSets(inv: Investigation): { found: Set<string>; notFound: Set<string> } {
  const found = new Set<string>();
  const notFound = new Set<string>();
  for (const c of inv.commands.values()) {
    if (c.isFound === true) found.add(c.agentId);
    else if (c.status !== 'sent') notFound.add(c.agentId);
  }
  return { found, notFound };
}
