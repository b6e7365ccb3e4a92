import { useMemo } from 'react';
import { commandViewModel, type CommandViewModel } from '../state/models/command-model.js';
import { topEntry } from '../state/nav.js';
import { useSnapshot } from './use-console.js';

/** The command view's props, recomputed only when its inputs change. */
export function useCommand(): CommandViewModel | undefined {
  const snap = useSnapshot();
  return useMemo(() => commandViewModel(snap, topEntry(snap.ui.nav)), [snap]);
}
