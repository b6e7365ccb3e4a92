import { useMemo } from 'react';
import { agentsViewModel, type AgentsViewModel } from '../state/models/agents-model.js';
import { topEntry } from '../state/nav.js';
import { useSnapshot } from './use-console.js';

/** The agents view's props, recomputed only when its inputs change. */
export function useAgents(): AgentsViewModel {
  const snap = useSnapshot();
  return useMemo(() => agentsViewModel(snap, topEntry(snap.ui.nav)), [snap]);
}
