import { compileAgentFilter } from './agent-filter.js';
import type { Ctl } from './controller-api.js';
import type { Intent } from './intents.js';
import { ROOT_VIEWS, topEntry, updateTop } from './nav.js';
import type { Overlay } from './ui-state.js';

const VIEW_NAMES = Object.keys(ROOT_VIEWS);

/** `:ag` is enough for agents: any unique prefix of a view name. */
export function resolveViewName(text: string): Intent | string {
  const name = text.trim().toLowerCase();
  if (name === 'q' || name === 'quit') return { type: 'quit' };
  const exact = ROOT_VIEWS[name];
  if (exact !== undefined) return { type: 'jump', view: exact };
  const matches = VIEW_NAMES.filter((v) => name !== '' && v.startsWith(name));
  const only = matches.length === 1 ? ROOT_VIEWS[matches[0] ?? ''] : undefined;
  if (only !== undefined) return { type: 'jump', view: only };
  return `unknown view ${JSON.stringify(text.trim())}: try ${VIEW_NAMES.map((v) => `:${v}`).join(' ')}`;
}

function close(ctl: Ctl): void {
  ctl.stores.ui.set((ui) => ({ ...ui, overlay: { kind: 'none' } }));
}

function submitFilter(ctl: Ctl, text: string): void {
  const ui = ctl.stores.ui.getState();
  if (topEntry(ui.nav).view.kind === 'agents') {
    const compiled = compileAgentFilter(text);
    // Keep the prompt open on a parse error: the message is already shown beside it.
    if (compiled.kind === 'error') return;
  }
  ctl.stores.ui.set((s) => ({
    ...s,
    overlay: { kind: 'none' },
    nav: updateTop(s.nav, (e) => ({ ...e, filter: text.trim(), cursor: 0, offset: 0 })),
  }));
}

/** Enter in a one-line prompt. */
export function submitOverlay(ctl: Ctl, overlay: Extract<Overlay, { kind: 'jump' | 'filter' | 'prompt' }>): void {
  if (overlay.kind === 'filter') {
    submitFilter(ctl, overlay.text);
    return;
  }
  close(ctl);
  if (overlay.kind === 'jump') {
    const resolved = resolveViewName(overlay.text);
    if (typeof resolved === 'string') ctl.flash('error', resolved);
    else ctl.dispatch(resolved);
    return;
  }
  const text = overlay.text.trim();
  if (text === '') {
    ctl.flash('error', `${overlay.label}: expected a value, got nothing`);
    return;
  }
  const purpose = overlay.purpose;
  switch (purpose.kind) {
    case 'exportPath':
      ctl.dispatch({ type: 'exportResults', actionId: purpose.actionId, format: purpose.format, path: text });
      return;
    case 'loadActionFile':
      ctl.dispatch({ type: 'loadActionFile', path: text });
      return;
    case 'importIocFeed':
      ctl.dispatch({ type: 'importIocFeed', path: text });
      return;
    case 'investigatorKeyPath':
      ctl.dispatch({
        type: 'prompt',
        label: 'investigator name',
        defaultText: '',
        purpose: { kind: 'investigatorName', publicKeyPath: text },
      });
      return;
    case 'investigatorName': {
      const body = { name: text, publicKeyPath: purpose.publicKeyPath, isAdmin: false };
      ctl.dispatch({
        type: 'confirm',
        message: `add investigator ${text} with the key in ${purpose.publicKeyPath}? Agents trust only their baked keyring; this grants API access.`,
        then: { type: 'addInvestigator', body },
      });
      return;
    }
  }
}
