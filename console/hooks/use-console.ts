import { createContext, useContext, useMemo } from 'react';
import type { ConsoleSnapshot } from '../state/console-stores.js';
import type { ConsoleController } from '../state/controller.js';
import { useStore } from './use-store.js';

export const ConsoleContext = createContext<ConsoleController | undefined>(undefined);

/** The controller the App created; hooks read its stores, the key hook feeds it keys. */
export function useConsole(): ConsoleController {
  const ctl = useContext(ConsoleContext);
  if (ctl === undefined) throw new Error('useConsole() outside <App>');
  return ctl;
}

/** Every store at once, re-read when any of them changes (at most once a frame, thanks to the batcher). */
export function useSnapshot(): ConsoleSnapshot {
  const ctl = useConsole();
  const s = ctl.stores;
  const ui = useStore(s.ui);
  const agents = useStore(s.agents);
  const actions = useStore(s.actions);
  const investigations = useStore(s.investigations);
  const investigators = useStore(s.investigators);
  const launcher = useStore(s.launcher);
  const nowMs = useStore(s.clock);
  return useMemo(
    () => ({ ui, agents, actions, investigations, investigators, launcher, nowMs, modules: ctl.modules }),
    [ui, agents, actions, investigations, investigators, launcher, nowMs, ctl.modules],
  );
}
