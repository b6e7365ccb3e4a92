import type { InvestigatorRecord } from './backend.js';

export interface InvestigatorsState {
  list: readonly InvestigatorRecord[];
  isLoaded: boolean;
  loadError: string | undefined;
}

export const emptyInvestigators: InvestigatorsState = { list: [], isLoaded: false, loadError: undefined };

export function loadedInvestigators(list: readonly InvestigatorRecord[]): InvestigatorsState {
  return { list: [...list].sort((a, b) => a.name.localeCompare(b.name)), isLoaded: true, loadError: undefined };
}

export function upsertInvestigator(state: InvestigatorsState, record: InvestigatorRecord): InvestigatorsState {
  const rest = state.list.filter((r) => r.fingerprint !== record.fingerprint);
  return { ...loadedInvestigators([...rest, record]), isLoaded: state.isLoaded };
}
