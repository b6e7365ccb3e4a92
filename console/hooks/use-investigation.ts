import { useMemo } from 'react';
import { actionViewModel, type ActionViewModel } from '../state/models/action-model.js';
import { topEntry } from '../state/nav.js';
import { useSnapshot } from './use-console.js';

/** The action view's props, recomputed only when its inputs change. */
export function useInvestigation(): ActionViewModel | undefined {
  const snap = useSnapshot();
  return useMemo(() => actionViewModel(snap, topEntry(snap.ui.nav)), [snap]);
}
