import { useApp } from 'ink';
import { useEffect, useMemo } from 'react';
import { footerModel, headerModel, type FooterModel, type HeaderModel } from '../state/models/chrome-model.js';
import { helpModel, type HelpModel } from '../state/models/help-model.js';
import type { FleetOnQuit } from '../state/intents.js';
import type { TerminalSize } from '../state/ui-state.js';
import { useConsole, useSnapshot } from './use-console.js';
import { useStore } from './use-store.js';

export interface Chrome {
  header: HeaderModel;
  footer: FooterModel;
  /** Set while the help overlay is open. */
  help: HelpModel | undefined;
  size: TerminalSize;
}

/** Header, footer and help: the frame around every view. */
export function useChrome(): Chrome {
  const ctl = useConsole();
  const snap = useSnapshot();
  return useMemo(
    () => ({
      header: headerModel(snap, ctl.backend.serverUrl, ctl.backend.investigator),
      footer: footerModel(snap),
      help: snap.ui.overlay.kind === 'help' ? helpModel(snap, snap.ui.overlay.offset) : undefined,
      size: snap.ui.size,
    }),
    [snap, ctl],
  );
}

/** Tells the controller the terminal size (so paging knows how many rows fit). */
export function useSizeSync(size: TerminalSize): void {
  const ctl = useConsole();
  useEffect(() => ctl.resize(size), [ctl, size]);
}

/**
 * Quitting is a state like any other; the app leaves through Ink, never process.exit. `onQuit`
 * hears first what the person chose for a server this console started.
 */
export function useExitWhenQuit(onQuit?: (fleet: FleetOnQuit | undefined) => void): void {
  const ctl = useConsole();
  const { exit } = useApp();
  const ui = useStore(ctl.stores.ui);
  useEffect(() => {
    if (!ui.hasQuit) return;
    onQuit?.(ui.fleetOnQuit);
    exit();
  }, [ui.hasQuit, ui.fleetOnQuit, onQuit, exit]);
}
