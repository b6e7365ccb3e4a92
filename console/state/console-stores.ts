import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { emptyActions, type ActionsState } from './actions-state.js';
import { emptyAgents, type AgentsState } from './agents-state.js';
import type { FrameBatcher } from './frame-batcher.js';
import { emptyInvestigations, type InvestigationsState } from './investigations-state.js';
import { emptyInvestigators, type InvestigatorsState } from './investigators-state.js';
import { newLauncher, type LauncherState } from './launcher/launcher-state.js';
import { Store } from './store.js';
import { initialUi, type UiState } from './ui-state.js';

/** One store per concern, so a burst of results does not make the header re-render its clock. */
export interface ConsoleStores {
  ui: Store<UiState>;
  agents: Store<AgentsState>;
  actions: Store<ActionsState>;
  investigations: Store<InvestigationsState>;
  investigators: Store<InvestigatorsState>;
  launcher: Store<LauncherState>;
  /** Milliseconds since the epoch, ticking once a second for the clock and relative times. */
  clock: Store<number>;
}

export interface ConsoleSnapshot {
  ui: UiState;
  agents: AgentsState;
  actions: ActionsState;
  investigations: InvestigationsState;
  investigators: InvestigatorsState;
  launcher: LauncherState;
  nowMs: number;
  modules: ReadonlyMap<string, AnyModuleSpec>;
}

export function createStores(
  batcher: FrameBatcher,
  opts: { isReadOnly: boolean; modules: ReadonlyMap<string, AnyModuleSpec>; nowMs: number; me?: string },
): ConsoleStores {
  return {
    ui: new Store(initialUi(opts.isReadOnly, undefined, opts.me), batcher),
    agents: new Store(emptyAgents, batcher),
    actions: new Store(emptyActions, batcher),
    investigations: new Store(emptyInvestigations, batcher),
    investigators: new Store(emptyInvestigators, batcher),
    launcher: new Store(newLauncher(opts.modules), batcher),
    clock: new Store(opts.nowMs, batcher),
  };
}

export function snapshotOf(stores: ConsoleStores, modules: ReadonlyMap<string, AnyModuleSpec>): ConsoleSnapshot {
  return {
    ui: stores.ui.getState(),
    agents: stores.agents.getState(),
    actions: stores.actions.getState(),
    investigations: stores.investigations.getState(),
    investigators: stores.investigators.getState(),
    launcher: stores.launcher.getState(),
    nowMs: stores.clock.getState(),
    modules,
  };
}
