import { isAwaitingApproval } from '../../protocol/api.js';
import { actionsLoadFailed, loadedActions, upsertActions } from './actions-state.js';
import { agentsLoadFailed, loadedAgents } from './agents-state.js';
import type { Ctl } from './controller-api.js';
import { loaded, loadFailed, setAgentCommands, startLoading, upsertCommands } from './investigations-state.js';
import { loadedInvestigators } from './investigators-state.js';
import { errorText } from './text.js';

/** Fetches that fill the stores. Failures land in the store (shown in the view) and the flash line. */

/**
 * Runs one list fetch; a failure goes to `failed` (so the view shows it) and on to the flash line.
 */
function loadList(ctl: Ctl, fetch: () => Promise<void>, failed: (message: string) => void): void {
  ctl.run(async () => {
    try {
      await fetch();
    } catch (err) {
      failed(errorText(err));
      throw err;
    }
  });
}

// Alike on purpose (duplicates): one loader a list, each handing its own fetch and failure to
// loadList; they share their shape, not logic.
export function loadAgents(ctl: Ctl): void {
  const { agents: store } = ctl.stores;
  loadList(
    ctl,
    async () => {
      const { agents } = await ctl.backend.listAgents();
      // Pending enrollments show in the same table (STATUS pending) so an admin can decide.
      const pending = (await ctl.backend.listPendingAgents?.().catch(() => undefined))?.agents ?? [];
      store.set(loadedAgents([...agents, ...pending]));
    },
    (message) => store.set((s) => agentsLoadFailed(s, message)),
  );
}

export function loadActions(ctl: Ctl): void {
  const { actions: store } = ctl.stores;
  loadList(
    ctl,
    async () => {
      const { actions } = await ctl.backend.listActions();
      const listed = new Set(actions.map((a) => a.action.id));
      // Keep records that streamed in while the list was on its way.
      store.set((s) =>
        upsertActions(
          loadedActions(actions),
          [...s.byId.values()].filter((r) => !listed.has(r.action.id)),
        ),
      );
    },
    (message) => store.set((s) => actionsLoadFailed(s, message)),
  );
}

export function loadInvestigators(ctl: Ctl): void {
  const { investigators: store } = ctl.stores;
  loadList(
    ctl,
    async () => store.set(loadedInvestigators((await ctl.backend.listInvestigators()).investigators)),
    (message) => store.set((s) => ({ ...s, isLoaded: true, loadError: message })),
  );
}

/**
 * Opens an action: its record and every command, page by page. The first page shows at once;
 * live command events keep arriving meanwhile and are merged, never overwritten by older pages.
 */
export function openInvestigation(ctl: Ctl, actionId: string, isForced = false): void {
  const existing = ctl.stores.investigations.getState().byAction.get(actionId);
  if (existing !== undefined && !isForced && (existing.isLoading || existing.loadError === undefined)) return;
  ctl.stores.investigations.set((s) => startLoading(s, actionId));
  ctl.run(async () => {
    try {
      const record = await ctl.backend.getAction(actionId);
      ctl.stores.actions.set((s) => upsertActions(s, [record]));
      // The approval review names who signed: it needs the investigators.
      if (isAwaitingApproval(record) && !ctl.stores.investigators.getState().isLoaded) loadInvestigators(ctl);
      const limit = ctl.tuning.commandPageSize;
      const first = await ctl.backend.listCommands(actionId, { limit, offset: 0 });
      ctl.stores.investigations.set((s) => loaded(s, record, first.commands));
      for (let offset = first.commands.length; offset < first.total;) {
        const page = await ctl.backend.listCommands(actionId, { limit, offset });
        if (page.commands.length === 0) break;
        ctl.stores.investigations.set((s) => upsertCommands(s, page.commands));
        offset += page.commands.length;
      }
    } catch (err) {
      ctl.stores.investigations.set((s) => loadFailed(s, actionId, errorText(err)));
      throw err;
    }
  });
}

export function loadAgentCommands(ctl: Ctl, agentId: string): void {
  const list = ctl.backend.listAgentCommands?.bind(ctl.backend);
  if (list === undefined) return;
  ctl.run(async () => {
    const { commands } = await list(agentId, { limit: 50 });
    ctl.stores.investigations.set((s) => setAgentCommands(s, agentId, commands));
  });
}
