import { useMemo } from 'react';
import { actionsViewModel, type ActionsViewModel } from '../state/models/actions-model.js';
import { topEntry } from '../state/nav.js';
import { useSnapshot } from './use-console.js';

/** The actions view's props, recomputed only when its inputs change. */
export function useActions(): ActionsViewModel {
  const snap = useSnapshot();
  return useMemo(() => actionsViewModel(snap, topEntry(snap.ui.nav)), [snap]);
}
