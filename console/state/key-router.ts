import { resolveKey } from '../keymap.js';
import { runCommand } from './commands.js';
import type { Ctl } from './controller-api.js';
import { cancelLaunch, editLauncherText, stopEditing } from './launcher/launcher-effects.js';
import { isBusy } from './launcher/launcher-state.js';
import type { KeyEvent } from './keys.js';
import { topEntry } from './nav.js';
import { submitOverlay } from './overlay-submit.js';
import { QUIT_QUESTION } from './dispatch.js';
import { editText } from './text-input.js';
import type { Overlay } from './ui-state.js';
import { helpHeight, helpLines } from './models/help-model.js';

const NONE: Overlay = { kind: 'none' };

function closeOverlay(ctl: Ctl): void {
  ctl.stores.ui.set((ui) => (ui.overlay.kind === 'none' ? ui : { ...ui, overlay: NONE }));
}

/** Help lists every key: more than a screen, so the movement keys scroll it. */
function scrollHelp(ctl: Ctl, offset: number, key: string): void {
  const snap = ctl.snapshot();
  const height = helpHeight(snap);
  const last = Math.max(
    0,
    helpLines(topEntry(snap.ui.nav).view.kind, snap.ui.isReadOnly, snap.ui.size.columns).length - height,
  );
  const steps: Record<string, number> = {
    up: -1,
    k: -1,
    down: 1,
    j: 1,
    pageup: -height,
    'ctrl+b': -height,
    pagedown: height,
    'ctrl+f': height,
    space: height,
    home: -last,
    g: -last,
    end: last,
    G: last,
  };
  const step = steps[key];
  if (step === undefined) return;
  const next = Math.max(0, Math.min(last, offset + step));
  if (next !== offset) ctl.stores.ui.set((ui) => ({ ...ui, overlay: { kind: 'help', offset: next } }));
}

/** Keys while an overlay has the keyboard; true when the key was consumed. */
function routeOverlay(ctl: Ctl, ev: KeyEvent): boolean {
  const overlay = ctl.stores.ui.getState().overlay;
  switch (overlay.kind) {
    case 'none':
      return false;
    case 'help':
      if (ev.name === 'esc' || ev.name === 'q' || ev.name === '?' || ev.name === 'enter') closeOverlay(ctl);
      else scrollHelp(ctl, overlay.offset, ev.name);
      return true;
    case 'confirm':
      if (ev.name === 'y' || ev.name === 'Y') {
        closeOverlay(ctl);
        ctl.dispatch(overlay.intent);
      } else if (ev.name === 'n' || ev.name === 'N' || ev.name === 'esc') {
        closeOverlay(ctl);
        ctl.flash('info', 'cancelled');
      }
      return true;
    case 'choice': {
      const choice = overlay.choices.find((c) => c.key === ev.name);
      if (choice !== undefined || ev.name === 'esc') closeOverlay(ctl);
      if (choice !== undefined) ctl.dispatch(choice.intent);
      return true;
    }
    case 'jump':
    case 'filter':
    case 'prompt': {
      if (ev.name === 'esc') closeOverlay(ctl);
      else if (ev.name === 'enter') submitOverlay(ctl, overlay);
      else {
        const text = editText(overlay.text, ev);
        if (text !== undefined) ctl.stores.ui.set((ui) => ({ ...ui, overlay: { ...overlay, text } }));
      }
      return true;
    }
  }
}

/** The launcher takes keys first while a field is being edited or a launch is under way. */
function routeLauncher(ctl: Ctl, ev: KeyEvent): boolean {
  const launcher = ctl.stores.launcher.getState();
  if (isBusy(launcher)) {
    if (ev.name === 'esc') cancelLaunch(ctl);
    return true;
  }
  if (!launcher.isEditing) return false;
  if (ev.name === 'enter' || ev.name === 'esc' || ev.name === 'tab' || ev.name === 'up' || ev.name === 'down') {
    stopEditing(ctl, ev.name === 'up' ? -1 : ev.name === 'esc' ? 0 : 1);
    return true;
  }
  editLauncherText(ctl, ev);
  return true;
}

/**
 * Every key goes through here: overlays first, then the launcher's edit mode, then the keymap.
 * Dangerous commands become a y/n question; in read-only mode they are not bound at all.
 */
export function routeKey(ctl: Ctl, ev: KeyEvent): void {
  if (ev.name === 'ctrl+c') {
    // A second ctrl+c at the quit question means: stop everything, now.
    const overlay = ctl.stores.ui.getState().overlay;
    const isAsked = overlay.kind === 'choice' && overlay.label === QUIT_QUESTION;
    ctl.dispatch({ type: 'quit', ...(isAsked ? { fleet: 'stop' as const } : {}) });
    return;
  }
  if (routeOverlay(ctl, ev)) return;
  const ui = ctl.stores.ui.getState();
  const view = topEntry(ui.nav).view.kind;
  if (view === 'launcher' && routeLauncher(ctl, ev)) return;
  const command = resolveKey(view, ev.name, ui.isReadOnly);
  if (command !== undefined) runCommand(ctl, command);
}
