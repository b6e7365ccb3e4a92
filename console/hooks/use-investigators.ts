import { useMemo } from 'react';
import { investigatorsViewModel, type InvestigatorsViewModel } from '../state/models/investigators-model.js';
import { topEntry } from '../state/nav.js';
import { useSnapshot } from './use-console.js';

/** The investigators view's props, recomputed only when its inputs change. */
export function useInvestigators(): InvestigatorsViewModel {
  const snap = useSnapshot();
  return useMemo(() => investigatorsViewModel(snap, topEntry(snap.ui.nav)), [snap]);
}
