import { upsertActions } from './actions-state.js';
import { upsertAgents } from './agents-state.js';
import { runApproval } from './approval-effects.js';
import type { Ctl } from './controller-api.js';
import { upsertInvestigator } from './investigators-state.js';
import type { FleetOnQuit, Intent } from './intents.js';
import { draftFromFile, huntAgainDraft, iocDraft, iocProgress } from './launcher/launcher-prefill.js';
import { replaceDraft, scheduleCount, startLaunch } from './launcher/launcher-effects.js';
import { newLauncher } from './launcher/launcher-state.js';
import { loadActions, loadAgentCommands, loadAgents, loadInvestigators, openInvestigation } from './loaders.js';
import { canPop, jump, pop, push, topEntry, type ViewRef } from './nav.js';
import { upsertActionRecords } from './investigations-state.js';
import { count, sanitize } from './text.js';

/** Data a view needs when it comes on top of the stack. */
function enterView(ctl: Ctl, view: ViewRef, isForced: boolean): void {
  switch (view.kind) {
    case 'agents':
      if (isForced) loadAgents(ctl);
      return;
    case 'actions':
      if (isForced) loadActions(ctl);
      return;
    case 'action':
      return openInvestigation(ctl, view.actionId, isForced);
    case 'agent':
      return loadAgentCommands(ctl, view.agentId);
    case 'investigators':
      if (isForced || !ctl.stores.investigators.getState().isLoaded) loadInvestigators(ctl);
      return;
    case 'launcher':
      return scheduleCount(ctl);
    case 'command':
      return;
  }
}

function navigate(ctl: Ctl, update: 'push' | 'jump', view: ViewRef): void {
  ctl.stores.ui.set((ui) => ({
    ...ui,
    overlay: { kind: 'none' },
    nav: update === 'push' ? push(ui.nav, view) : jump(ui.nav, view),
  }));
  enterView(ctl, view, false);
}

function setOverlay(ctl: Ctl, intent: Extract<Intent, { type: 'confirm' | 'choose' | 'prompt' }>): void {
  const overlay =
    intent.type === 'confirm'
      ? { kind: 'confirm' as const, message: intent.message, intent: intent.then }
      : intent.type === 'choose'
        ? { kind: 'choice' as const, label: intent.label, choices: intent.choices }
        : { kind: 'prompt' as const, label: intent.label, text: intent.defaultText, purpose: intent.purpose };
  ctl.stores.ui.set((ui) => ({ ...ui, overlay }));
}

/** Server-side effects: each ends in a store update and a flash line. */
function runRemote(ctl: Ctl, intent: Intent): void {
  switch (intent.type) {
    case 'cancelAction':
      return ctl.run(async () => {
        const record = await ctl.backend.cancelAction(intent.actionId);
        ctl.stores.actions.set((s) => upsertActions(s, [record]));
        ctl.stores.investigations.set((s) => upsertActionRecords(s, [record]));
        ctl.flash('info', `action ${record.action.name} is ${record.status}`);
      });
    case 'approveAction':
      return runApproval(ctl, intent.actionId, intent.shown);
    case 'exportResults':
      return ctl.run(async () => {
        const written = await ctl.backend.exportResults(intent.actionId, intent.format, intent.path);
        ctl.flash('info', `exported ${intent.format} to ${written}`);
      });
    case 'loadActionFile':
      return ctl.run(async () => {
        const action = await ctl.backend.readActionFile(intent.path);
        if (replaceDraft(ctl, draftFromFile(ctl.modules, action, intent.path)))
          ctl.flash('info', `loaded ${action.name}`);
      });
    case 'importIocFeed':
      return ctl.run(async () => {
        if (ctl.backend.importIocFeed === undefined) return ctl.flash('error', 'this console cannot import feeds');
        const { target, expiry } = ctl.stores.launcher.getState();
        const reply = await ctl.backend.importIocFeed(intent.path, { target, expiry });
        const progress = iocProgress(reply, intent.path);
        const draft = iocDraft(ctl.modules, progress, { target, expiry });
        if (draft !== undefined && replaceDraft(ctl, draft))
          ctl.flash(
            'info',
            `${progress.feed}: ${count(reply.actions.length, 'action')} to sign and launch, ${reply.untranslated.length} not translated`,
          );
      });
    case 'huntAgain':
      return ctl.run(async () => {
        const known = ctl.stores.actions.getState().byId.get(intent.actionId);
        const record = known ?? (await ctl.backend.getAction(intent.actionId));
        if (replaceDraft(ctl, huntAgainDraft(ctl.modules, record.action, intent.which)))
          navigate(ctl, 'push', { kind: 'launcher' });
      });
    case 'addInvestigator':
      return ctl.run(async () => {
        const record = await ctl.backend.addInvestigator(intent.body);
        ctl.stores.investigators.set((s) => upsertInvestigator(s, record));
        ctl.flash('info', `added investigator ${record.name}`);
      });
    case 'setInvestigatorStatus':
      return ctl.run(async () => {
        const record = await ctl.backend.setInvestigatorStatus(intent.fingerprint, intent.status);
        ctl.stores.investigators.set((s) => upsertInvestigator(s, record));
        // The server follows at once; agents only once a new policy bundle reaches them.
        ctl.flash(
          'info',
          `investigator ${record.name} is ${record.status}; agents follow once an admin runs \`mig policy publish\``,
        );
      });
    case 'decideEnrollment':
      return ctl.run(async () => {
        const decide = ctl.backend.decideEnrollment?.bind(ctl.backend);
        if (decide === undefined) return ctl.flash('error', 'this server connection cannot decide enrollments');
        const record = await decide(intent.agentId, intent.decision);
        ctl.stores.agents.set((s) => upsertAgents(s, [record]));
        ctl.flash(
          'info',
          `agent ${sanitize(record.name)} (${record.id}) ${intent.decision === 'accept' ? 'accepted' : 'rejected'}`,
        );
      });
    default:
      return;
  }
}

/** The quit question's label: ctrl+c while it is open means stop everything. */
export const QUIT_QUESTION = 'quit';

/**
 * Quitting a console on a remote server just closes it. A console that started its own server
 * and agent asks once: leave them running (the process stays, headless) or stop them.
 */
function quit(ctl: Ctl, fleet: FleetOnQuit | undefined): void {
  const embedded = ctl.backend.embeddedFleet;
  if (embedded !== undefined && fleet === undefined) {
    const choices = [
      { key: 'k', label: `keep ${embedded} running`, intent: { type: 'quit', fleet: 'keep' } },
      { key: 's', label: 'stop them', intent: { type: 'quit', fleet: 'stop' } },
    ] as const;
    ctl.stores.ui.set((ui) => ({ ...ui, overlay: { kind: 'choice', label: QUIT_QUESTION, choices } }));
    return;
  }
  ctl.stores.ui.set((ui) => ({
    ...ui,
    overlay: { kind: 'none' },
    hasQuit: true,
    fleetOnQuit: embedded === undefined ? undefined : fleet,
  }));
}

/** The single dispatcher: every intent from keys, prompts and confirmations ends here. */
export function runIntent(ctl: Ctl, intent: Intent): void {
  switch (intent.type) {
    case 'open':
      return navigate(ctl, 'push', intent.view);
    case 'jump':
      return navigate(ctl, 'jump', intent.view);
    case 'back':
      return ctl.stores.ui.set((ui) => (canPop(ui.nav) ? { ...ui, nav: pop(ui.nav) } : ui));
    case 'quit':
      return quit(ctl, intent.fleet);
    case 'confirm':
    case 'choose':
    case 'prompt':
      return setOverlay(ctl, intent);
    case 'flash':
      return ctl.flash(intent.level, intent.text);
    case 'refresh':
      return enterView(ctl, topEntry(ctl.stores.ui.getState().nav).view, true);
    case 'newHunt':
      if (replaceDraft(ctl, newLauncher(ctl.modules, intent.target === undefined ? {} : { target: intent.target }))) {
        navigate(ctl, 'push', { kind: 'launcher' });
      }
      return;
    case 'launch':
      return startLaunch(ctl, intent.isConfirmed === true);
    default:
      return runRemote(ctl, intent);
  }
}
