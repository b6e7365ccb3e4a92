import type { CommandId, KeyCommand } from '../keymap.js';
import type { ExportFormat } from './backend.js';
import { compileAgentFilter } from './agent-filter.js';
import type { Ctl } from './controller-api.js';
import type { Intent } from './intents.js';
import { launcherCommand } from './launcher/launcher-commands.js';
import { tableHeight } from './layout.js';
import { AGENT_COLUMNS } from './models/agent-columns.js';
import { topEntry, updateTop, type FoundFilter, type NavEntry } from './nav.js';
import { rowCountOf, selected } from './selection.js';
import { moveWindow, type TableMove } from './table-window.js';
import { sanitize } from './text.js';
import { approveIntent } from './approval-effects.js';
import { heldActionOf } from './selectors.js';
import { tableOf } from './models/table-of.js';

const MOVES: Partial<Record<CommandId, TableMove>> = {
  up: 'up',
  down: 'down',
  pageUp: 'pageUp',
  pageDown: 'pageDown',
  top: 'top',
  bottom: 'bottom',
};

function scrollWindow(e: NavEntry, move: TableMove, rows: number, height: number): { cursor: number; offset: number } {
  const last = Math.max(0, rows - height);
  const step = { up: -1, down: 1, pageUp: -height, pageDown: height, top: -rows, bottom: rows }[move];
  const offset = Math.max(0, Math.min(last, e.offset + step));
  return { cursor: offset, offset };
}

const NEXT_FOUND: Record<FoundFilter, FoundFilter> = { all: 'found', found: 'notfound', notfound: 'all' };

function updateEntry(ctl: Ctl, update: (e: NavEntry) => NavEntry): void {
  ctl.stores.ui.set((ui) => ({ ...ui, nav: updateTop(ui.nav, update) }));
}

function moveCursor(ctl: Ctl, move: TableMove): void {
  const snap = ctl.snapshot();
  const entry = topEntry(snap.ui.nav);
  const rows = rowCountOf(snap, entry);
  const height = tableHeight(entry.view.kind, snap.ui.size);
  const isText = entry.view.kind === 'command' || heldActionOf(snap, entry) !== undefined;
  updateEntry(ctl, (e) => {
    // A text view (a command's report, a held action's JSON) has no row cursor: the keys scroll
    // it, the cursor riding on the first visible line.
    const win = isText ? scrollWindow(e, move, rows, height) : moveWindow(e, move, rows, height);
    return win.cursor === e.cursor && win.offset === e.offset ? e : { ...e, ...win };
  });
}

function exportChoice(actionId: string): Intent {
  const formats: [string, ExportFormat][] = [
    ['j', 'json'],
    ['n', 'ndjson'],
    ['c', 'csv'],
  ];
  return {
    type: 'choose',
    label: 'export as',
    choices: formats.map(([key, format]) => ({
      key,
      label: format,
      intent: {
        type: 'prompt',
        label: 'export to',
        defaultText: `mig-${actionId.slice(0, 8)}.${format}`,
        purpose: { kind: 'exportPath', actionId, format },
      },
    })),
  };
}

/** The intent a table command means for the selected row, or undefined when nothing is selected. */
function selectionIntent(ctl: Ctl, id: CommandId): Intent | undefined {
  const snap = ctl.snapshot();
  const entry = topEntry(snap.ui.nav);
  const view = entry.view;
  const actionId = view.kind === 'action' ? view.actionId : selected.action(snap, entry)?.action.id;
  switch (id) {
    case 'openAgent': {
      const agent = selected.agent(snap, entry);
      return agent === undefined ? undefined : { type: 'open', view: { kind: 'agent', agentId: agent.id } };
    }
    case 'openAgentCommand': {
      const c = selected.agentCommand(snap, entry);
      return c === undefined
        ? undefined
        : { type: 'open', view: { kind: 'command', actionId: c.actionId, commandId: c.id } };
    }
    case 'openAction':
      return actionId === undefined ? undefined : { type: 'open', view: { kind: 'action', actionId } };
    case 'openCommand': {
      const row = selected.result(snap, entry);
      if (row === undefined || view.kind !== 'action') return undefined;
      return {
        type: 'open',
        view: {
          kind: 'command',
          actionId: view.actionId,
          commandId: row.commandId,
          ...(row.ref === undefined ? {} : { row: row.ref }),
        },
      };
    }
    case 'approveAction':
      return actionId === undefined ? undefined : approveIntent(snap, actionId);
    case 'cancelAction': {
      if (actionId === undefined) return undefined;
      const name = snap.actions.byId.get(actionId)?.action.name ?? actionId;
      return {
        type: 'confirm',
        message: `cancel action ${sanitize(name)}? Agents stop what they have not finished.`,
        then: { type: 'cancelAction', actionId },
      };
    }
    case 'exportResults':
      return actionId === undefined ? undefined : exportChoice(actionId);
    case 'huntFound':
    case 'huntNotFound':
      return actionId === undefined
        ? undefined
        : { type: 'huntAgain', actionId, which: id === 'huntFound' ? 'found' : 'notfound' };
    case 'toggleInvestigator': {
      const r = selected.investigator(snap, entry);
      if (r === undefined) return undefined;
      const status = r.status === 'active' ? 'disabled' : 'active';
      const verb = status === 'disabled' ? 'disable' : 'enable';
      return {
        type: 'confirm',
        message: `${verb} investigator ${sanitize(r.name)} (${r.fingerprint})?`,
        then: { type: 'setInvestigatorStatus', fingerprint: r.fingerprint, status },
      };
    }
    case 'acceptAgent':
    case 'rejectAgent': {
      const agent = selected.agent(snap, entry);
      if (agent === undefined) return undefined;
      const decision = id === 'acceptAgent' ? 'accept' : 'reject';
      if (decision === 'accept' && agent.enrollment !== 'pending')
        return { type: 'flash', level: 'info', text: `agent ${sanitize(agent.name)} is not pending` };
      const what = agent.enrollment === 'pending' ? 'enrollment of' : 'credential of accepted agent';
      return {
        type: 'confirm',
        message: `${decision} the ${what} ${sanitize(agent.name)} (${agent.id})?`,
        then: { type: 'decideEnrollment', agentId: agent.id, decision },
      };
    }
    case 'newHunt': {
      // From a filtered agents view, the filter becomes the hunt's target.
      const isTarget = view.kind === 'agents' && compileAgentFilter(entry.filter).kind === 'ok';
      return { type: 'newHunt', ...(isTarget ? { target: entry.filter } : {}) };
    }
    default:
      return undefined;
  }
}

/** Wide mode: moves the first column shown; outside wide mode every column already fits. */
function scrollSideways(ctl: Ctl, step: -1 | 1): void {
  const snap = ctl.snapshot();
  if (!snap.ui.isWide) {
    ctl.flash('info', 'w turns on wide mode, where ←/→ scroll the columns');
    return;
  }
  const columns = tableOf(snap, topEntry(snap.ui.nav))?.columnCount ?? 1;
  updateEntry(ctl, (e) => {
    const firstColumn = Math.max(0, Math.min(columns - 1, e.firstColumn + step));
    return firstColumn === e.firstColumn ? e : { ...e, firstColumn };
  });
}

/** Runs one keymap command: a table move, a local toggle, or an intent for the dispatcher. */
export function runCommand(ctl: Ctl, command: KeyCommand): void {
  const view = topEntry(ctl.stores.ui.getState().nav).view.kind;
  if (view === 'launcher' && launcherCommand(ctl, command.id)) return;
  const move = MOVES[command.id];
  if (move !== undefined) {
    moveCursor(ctl, move);
    return;
  }
  switch (command.id) {
    case 'quit':
      return ctl.dispatch({ type: 'quit' });
    case 'back':
      return ctl.dispatch({ type: 'back' });
    case 'refresh':
      return ctl.dispatch({ type: 'refresh' });
    case 'help':
      return ctl.stores.ui.set((ui) => ({ ...ui, overlay: { kind: 'help', offset: 0 } }));
    case 'jump':
      return ctl.stores.ui.set((ui) => ({ ...ui, overlay: { kind: 'jump', text: '' } }));
    case 'filter':
      return ctl.stores.ui.set((ui) => ({
        ...ui,
        overlay: { kind: 'filter', text: topEntry(ui.nav).filter, previous: topEntry(ui.nav).filter },
      }));
    case 'sort':
      return updateEntry(ctl, (e) => ({
        ...e,
        sortColumn: (e.sortColumn + 1) % AGENT_COLUMNS.length,
        cursor: 0,
        offset: 0,
      }));
    case 'sortReverse':
      return updateEntry(ctl, (e) => ({ ...e, isSortDescending: !e.isSortDescending, cursor: 0, offset: 0 }));
    case 'toggleWide':
      return ctl.stores.ui.set((ui) => ({ ...ui, isWide: !ui.isWide }));
    case 'scrollLeft':
    case 'scrollRight':
      return scrollSideways(ctl, command.id === 'scrollLeft' ? -1 : 1);
    case 'toggleFound':
      return updateEntry(ctl, (e) => ({ ...e, found: NEXT_FOUND[e.found], cursor: 0, offset: 0 }));
    case 'addInvestigator':
      return ctl.dispatch({
        type: 'prompt',
        label: 'public key file',
        defaultText: '',
        purpose: { kind: 'investigatorKeyPath' },
      });
    default: {
      const intent = selectionIntent(ctl, command.id);
      if (intent === undefined) return;
      // Safety net: a dangerous command never acts without a y/n, whatever intent it produced
      // (a flash line acts on nothing: it says why the command cannot run).
      const isAsking = intent.type === 'confirm' || intent.type === 'prompt' || intent.type === 'flash';
      ctl.dispatch(
        command.isDangerous && !isAsking
          ? { type: 'confirm', message: `${command.description}?`, then: intent }
          : intent,
      );
    }
  }
}
