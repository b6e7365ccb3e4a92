import { useMemo } from 'react';
import { launcherViewModel, type LauncherViewModel } from '../state/models/launcher-model.js';
import { useSnapshot } from './use-console.js';

/** The launcher's props. */
export function useLauncher(): LauncherViewModel {
  const snap = useSnapshot();
  return useMemo(() => launcherViewModel(snap), [snap]);
}
