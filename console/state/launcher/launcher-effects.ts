import { isResponseModule } from '../../../protocol/limits.js';
import { TargetError, parseTarget } from '../../../protocol/target/index.js';
import type { SignedAction } from '../../../protocol/action.js';
import type { ActionRecord } from '../../../protocol/api.js';
import { upsertActions } from '../actions-state.js';
import { isAwaitingApproval } from '../approval-state.js';
import type { Ctl } from '../controller-api.js';
import type { KeyEvent } from '../keys.js';
import { replaceTop } from '../nav.js';
import { editText } from '../text-input.js';
import { count, errorText } from '../text.js';
import { checkDraft } from './build-action.js';
import { moveFocus } from './launcher-edit.js';
import { iocDraft } from './launcher-prefill.js';
import { focusedRow, launcherRows, newLauncher, rowText, withRowText, type LauncherState } from './launcher-state.js';

/**
 * The launcher's side effects: the debounced server-side match count, signing, the countdown
 * and the launch. A token guards every async step so Esc (or a new launch) makes late answers moot.
 */
const tokens = new WeakMap<Ctl, number>();

function currentToken(ctl: Ctl): number {
  return tokens.get(ctl) ?? 0;
}

function nextToken(ctl: Ctl): number {
  const token = currentToken(ctl) + 1;
  tokens.set(ctl, token);
  return token;
}

function set(ctl: Ctl, fn: (s: LauncherState) => LauncherState): void {
  ctl.stores.launcher.set(fn);
}

/** Asks the server how many agents the target matches, once typing pauses. */
export function scheduleCount(ctl: Ctl): void {
  ctl.setTimer('count', ctl.tuning.countDebounceMs, () => {
    const target = ctl.stores.launcher.getState().target;
    try {
      parseTarget(target);
    } catch (err) {
      // The parse error already shows beside the field; the server would only say the same.
      if (err instanceof TargetError) return set(ctl, (s) => ({ ...s, targetCount: { kind: 'idle' } }));
      throw err;
    }
    set(ctl, (s) => ({ ...s, targetCount: { kind: 'counting', target } }));
    ctl.backend.countAgents(target).then(
      (count) => set(ctl, (s) => (s.target === target ? { ...s, targetCount: { kind: 'counted', target, count } } : s)),
      (err: unknown) =>
        set(ctl, (s) =>
          s.target === target ? { ...s, targetCount: { kind: 'error', target, message: errorText(err) } } : s,
        ),
    );
  });
}

export function editLauncherText(ctl: Ctl, ev: KeyEvent): void {
  const state = ctl.stores.launcher.getState();
  const row = focusedRow(state, ctl.modules);
  if (row?.kind !== 'text') return;
  const text = editText(rowText(state, row.id), ev);
  if (text === undefined) return;
  set(ctl, (s) => withRowText(s, row.id, text));
  if (row.id === 'target') scheduleCount(ctl);
}

export function stopEditing(ctl: Ctl, delta: -1 | 0 | 1): void {
  set(ctl, (s) => {
    const stopped = { ...s, isEditing: false };
    if (delta === 0) return stopped;
    return moveFocus(stopped, ctl.modules, delta === 1 ? 'down' : 'up');
  });
}

/** Replaces the draft (new hunt, hunt again, loaded file) unless a launch is under way. */
export function replaceDraft(ctl: Ctl, draft: LauncherState): boolean {
  if (ctl.stores.launcher.getState().phase.kind !== 'editing') {
    ctl.flash('error', 'a launch is under way: wait for it or press Esc in the launcher');
    return false;
  }
  ctl.stores.launcher.set(draft);
  scheduleCount(ctl);
  return true;
}

function countdown(ctl: Ctl, token: number, signed: SignedAction, secondsLeft: number): void {
  if (token !== currentToken(ctl)) return;
  if (secondsLeft > 0) {
    set(ctl, (s) => ({ ...s, phase: { kind: 'countdown', secondsLeft, signed } }));
    ctl.setTimer('countdown', 1000, () => countdown(ctl, token, signed, secondsLeft - 1));
    return;
  }
  set(ctl, (s) => ({ ...s, phase: { kind: 'launching', signed } }));
  ctl.backend.signAndLaunch(signed, { addSignature: false }).then(
    (record) => {
      if (token !== currentToken(ctl)) return;
      ctl.stores.actions.set((s) => upsertActions(s, [record]));
      if (loadNextIocAction(ctl, record)) return;
      ctl.stores.launcher.set(newLauncher(ctl.modules));
      ctl.stores.ui.set((ui) => ({ ...ui, nav: replaceTop(ui.nav, { kind: 'action', actionId: record.action.id }) }));
      ctl.dispatch({ type: 'refresh' });
      ctl.flash(
        'info',
        isAwaitingApproval(record)
          ? `${record.action.name} waits for a second investigator: they approve it with a in its view (or mig action approve ${record.action.id})`
          : `launched ${record.action.name}: ${count(record.counters.targeted, 'agent')} targeted`,
      );
    },
    (err: unknown) => failLaunch(ctl, token, err),
  );
}

/**
 * After one action of an imported feed is launched, the next one takes the draft (with the
 * target and expiry the investigator set) and the launcher stays open; false after the last.
 */
function loadNextIocAction(ctl: Ctl, record: ActionRecord): boolean {
  const launched = ctl.stores.launcher.getState();
  const ioc = launched.source.kind === 'template' ? launched.source.ioc : undefined;
  if (ioc === undefined || ioc.index + 1 >= ioc.actions.length) return false;
  const next = iocDraft(ctl.modules, { ...ioc, index: ioc.index + 1 }, launched);
  if (next === undefined) return false;
  ctl.stores.launcher.set(next);
  scheduleCount(ctl);
  ctl.dispatch({ type: 'refresh' });
  ctl.flash(
    'info',
    `launched ${record.action.name} (${ioc.index + 1} of ${ioc.actions.length}): the next is loaded, s signs and launches it`,
  );
  return true;
}

function failLaunch(ctl: Ctl, token: number, err: unknown): void {
  if (token !== currentToken(ctl)) return;
  set(ctl, (s) => ({ ...s, phase: { kind: 'editing' } }));
  ctl.flashError(err);
}

/** Response modules change endpoints (ARCHITECTURE: dangerous in the console): they ask y/n first. */
function responseModules(ctl: Ctl, action: { operations: readonly { module: string }[] }): string[] {
  return [...new Set(action.operations.map((o) => o.module))].filter(isResponseModule);
}

/** Validate → sign ("signing…") → 3 s countdown (Esc cancels) → launch → the action view. */
export function startLaunch(ctl: Ctl, isConfirmed = false): void {
  const state = ctl.stores.launcher.getState();
  if (state.phase.kind !== 'editing') return;
  const check = checkDraft(state, ctl.modules, ctl.scheduler.now());
  if (check.action === undefined) {
    const rows = launcherRows(state, ctl.modules);
    const bad = rows.findIndex((r) => check.rowIssues[r.id] !== undefined);
    if (bad >= 0) set(ctl, (s) => ({ ...s, focus: bad, isEditing: false }));
    const firstRow = rows[bad];
    ctl.flash(
      'error',
      firstRow === undefined
        ? (check.problems[0] ?? 'the action is not valid')
        : `${firstRow.label}: ${check.rowIssues[firstRow.id] ?? ''}`,
    );
    return;
  }
  const action = check.action;
  const risky = responseModules(ctl, action);
  if (risky.length > 0 && !isConfirmed) {
    ctl.dispatch({
      type: 'confirm',
      message: `launch ${risky.join(', ')}? It changes the endpoints it runs on.`,
      then: { type: 'launch', isConfirmed: true },
    });
    return;
  }
  const token = nextToken(ctl);
  const isSigned = state.source.kind === 'signed';
  set(ctl, (s) => ({ ...s, isEditing: false, isPreviewOpen: false, phase: { kind: 'signing' } }));
  const signing =
    isSigned && !state.isAddingSignature ? Promise.resolve(action as SignedAction) : ctl.backend.sign(action);
  signing.then(
    (signed) => countdown(ctl, token, signed, ctl.tuning.countdownSeconds),
    (err: unknown) => failLaunch(ctl, token, err),
  );
}

export function cancelLaunch(ctl: Ctl): void {
  const phase = ctl.stores.launcher.getState().phase.kind;
  if (phase === 'editing') return;
  if (phase === 'launching') {
    ctl.flash('info', 'already sent: cancel the action from its view (c)');
    return;
  }
  nextToken(ctl);
  ctl.clearTimer('countdown');
  set(ctl, (s) => ({ ...s, phase: { kind: 'editing' } }));
  ctl.flash('info', 'launch cancelled: nothing was sent');
}
