import { useMemo } from 'react';
import { agentViewModel, type AgentViewModel } from '../state/models/agent-model.js';
import { topEntry } from '../state/nav.js';
import { useSnapshot } from './use-console.js';

/** The agent view's props, recomputed only when its inputs change. */
export function useAgent(): AgentViewModel | undefined {
  const snap = useSnapshot();
  return useMemo(() => agentViewModel(snap, topEntry(snap.ui.nav)), [snap]);
}
