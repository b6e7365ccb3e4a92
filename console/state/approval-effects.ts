import type { SignedAction } from '../../protocol/action.js';
import { upsertActions } from './actions-state.js';
import { isAwaitingApproval, whyNotApprovable } from './approval-state.js';
import type { ConsoleSnapshot } from './console-stores.js';
import type { Ctl } from './controller-api.js';
import type { Intent } from './intents.js';
import { upsertActionRecords } from './investigations-state.js';
import { openInvestigation } from './loaders.js';
import { push, topEntry, updateTop } from './nav.js';
import { actionRecordOf } from './selectors.js';
import { count, sanitize } from './text.js';

/**
 * The console's half of the two-person rule: `a` on an action held for approval asks y/n, then
 * the backend co-signs the action exactly as the view showed it and the server launches it.
 */

/** What `a` means for this action: a y/n question, or a flash line saying why not. */
export function approveIntent(snap: ConsoleSnapshot, actionId: string): Intent {
  const record = actionRecordOf(snap, actionId);
  const why = whyNotApprovable(record, snap.ui.me);
  if (why !== undefined || record === undefined)
    return { type: 'flash', level: 'error', text: why ?? 'nothing to approve' };
  const modules = [...new Set(record.action.operations.map((o) => o.module))].join(', ');
  return {
    type: 'confirm',
    message: `approve and launch ${sanitize(record.action.name)} (${sanitize(modules)}) on ${sanitize(record.action.target)}?`,
    // The action as shown now travels with the intent: a later update cannot change what is signed.
    then: { type: 'approveAction', actionId, shown: record.action },
  };
}

function showLiveProgress(ctl: Ctl, actionId: string): void {
  const top = topEntry(ctl.stores.ui.getState().nav).view;
  if (top.kind === 'action' && top.actionId === actionId) {
    // The JSON's scroll position means nothing to the results table that replaces it.
    ctl.stores.ui.set((ui) => ({ ...ui, nav: updateTop(ui.nav, (e) => ({ ...e, cursor: 0, offset: 0 })) }));
  } else {
    ctl.stores.ui.set((ui) => ({ ...ui, overlay: { kind: 'none' }, nav: push(ui.nav, { kind: 'action', actionId }) }));
  }
  openInvestigation(ctl, actionId, true);
}

export function runApproval(ctl: Ctl, actionId: string, shown: SignedAction): void {
  ctl.run(async () => {
    const record = await ctl.backend.approveAction(actionId, shown);
    ctl.stores.actions.set((s) => upsertActions(s, [record]));
    ctl.stores.investigations.set((s) => upsertActionRecords(s, [record]));
    const name = sanitize(record.action.name);
    if (isAwaitingApproval(record)) {
      const a = record.approval;
      ctl.flash(
        'info',
        `signed ${name}: ${a?.signers.length ?? 0} of ${count(a?.required ?? 0, 'investigator')}; waiting for another one`,
      );
      return;
    }
    showLiveProgress(ctl, actionId);
    ctl.flash(
      'info',
      record.status === 'inflight'
        ? `approved ${name}: launched to ${count(record.counters.targeted, 'agent')}`
        : `approved ${name}: it is ${record.status}`,
    );
  });
}
