import { isAwaitingApproval } from '../../protocol/api.js';
import { actionList, type ActionsState } from './actions-state.js';
import type { ActionRecord } from './backend.js';

export { isAwaitingApproval };

const pendingCache = new WeakMap<ActionsState, readonly ActionRecord[]>();

/** Actions the server holds for more signatures (two-person rule), newest first. */
export function awaitingApprovalList(state: ActionsState): readonly ActionRecord[] {
  let list = pendingCache.get(state);
  if (list === undefined) {
    list = actionList(state).filter(isAwaitingApproval);
    pendingCache.set(state, list);
  }
  return list;
}

/** `await 1/2` (awaiting approval, 1 of 2 signers): the status column's text for a held action; it fits the column's 9. */
export function approvalText(record: ActionRecord): string | undefined {
  if (record.approval === undefined || !isAwaitingApproval(record)) return undefined;
  return `await ${record.approval.signers.length}/${record.approval.required}`;
}

/** Why this investigator cannot approve the action, or undefined when they can. */
export function whyNotApprovable(record: ActionRecord | undefined, fingerprint: string): string | undefined {
  if (record === undefined) return 'the action is still loading';
  if (!isAwaitingApproval(record)) return `action ${record.action.name} is ${record.status}: nothing to approve`;
  if (record.approval?.signers.includes(fingerprint.toLowerCase()) === true) {
    return 'you already signed this action: the two-person rule needs another investigator';
  }
  return undefined;
}
