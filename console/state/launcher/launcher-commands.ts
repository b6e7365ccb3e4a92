import type { CommandId } from '../../keymap.js';
import type { Ctl } from '../controller-api.js';
import { scheduleCount } from './launcher-effects.js';
import { cycleFocused, moveFocus, toggleFocused } from './launcher-edit.js';
import { focusedRow, type LauncherState } from './launcher-state.js';
import { previewScrollLimit } from '../models/launcher-model.js';

function update(ctl: Ctl, fn: (s: LauncherState) => LauncherState): void {
  ctl.stores.launcher.set(fn);
}

/** Enter on a row: edit text, flip a toggle, cycle a choice, or press the launch button. */
function activate(ctl: Ctl): void {
  const row = focusedRow(ctl.stores.launcher.getState(), ctl.modules);
  switch (row?.kind) {
    case 'text':
      return update(ctl, (s) => ({ ...s, isEditing: true }));
    case 'boolean':
    case 'toggle':
      return update(ctl, (s) => toggleFocused(s, ctl.modules));
    case 'module':
    case 'enum':
      return update(ctl, (s) => cycleFocused(s, ctl.modules, 1));
    case 'button':
      return ctl.dispatch({ type: 'launch' });
    default:
      return;
  }
}

/** While the preview is open the movement keys scroll it, as far as its last line. */
function scrollPreview(s: LauncherState, id: 'up' | 'down' | 'top' | 'bottom', limit: number): LauncherState {
  const previewOffset =
    id === 'top' ? 0 : id === 'bottom' ? limit : Math.max(0, Math.min(limit, s.previewOffset + (id === 'up' ? -1 : 1)));
  return previewOffset === s.previewOffset ? s : { ...s, previewOffset };
}

/** Launcher meanings of keymap commands; false leaves the command to the generic handler. */
export function launcherCommand(ctl: Ctl, id: CommandId): boolean {
  switch (id) {
    case 'up':
    case 'down':
    case 'top':
    case 'bottom':
      update(ctl, (s) =>
        s.isPreviewOpen ? scrollPreview(s, id, previewScrollLimit(ctl.snapshot())) : moveFocus(s, ctl.modules, id),
      );
      return true;
    case 'editField':
      activate(ctl);
      return true;
    case 'toggleField':
    case 'toggleSignature':
      update(ctl, (s) => {
        if (id === 'toggleField') return toggleFocused(s, ctl.modules);
        return s.source.kind === 'signed' ? { ...s, isAddingSignature: !s.isAddingSignature } : s;
      });
      return true;
    case 'nextChoice':
    case 'previousChoice':
      update(ctl, (s) => cycleFocused(s, ctl.modules, id === 'nextChoice' ? 1 : -1));
      scheduleCount(ctl);
      return true;
    case 'togglePreview':
      update(ctl, (s) => ({ ...s, isPreviewOpen: !s.isPreviewOpen, previewOffset: 0 }));
      return true;
    case 'loadActionFile':
      ctl.dispatch({ type: 'prompt', label: 'action file', defaultText: '', purpose: { kind: 'loadActionFile' } });
      return true;
    case 'importIocFeed':
      ctl.dispatch({ type: 'prompt', label: 'feed file', defaultText: '', purpose: { kind: 'importIocFeed' } });
      return true;
    case 'launch':
      ctl.dispatch({ type: 'launch' });
      return true;
    default:
      return false;
  }
}
