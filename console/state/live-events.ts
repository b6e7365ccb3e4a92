import { upsertActions } from './actions-state.js';
import { upsertAgents } from './agents-state.js';
import type { ActionRecord, AgentRecord, CommandRecord, LiveEvent } from './backend.js';
import type { ConsoleStores } from './console-stores.js';
import { upsertActionRecords, upsertCommands } from './investigations-state.js';

/**
 * Buffers live events and applies them once per frame, each kind in one reducer call: 10,000
 * heartbeats in a second cost ten map copies, not 10,000.
 */
export class LiveEventQueue {
  private agents: AgentRecord[] = [];
  private actions: ActionRecord[] = [];
  private commands: CommandRecord[] = [];
  private isScheduled = false;

  constructor(
    private readonly stores: ConsoleStores,
    private readonly schedule: (fn: () => void) => void,
  ) {}

  push(event: LiveEvent): void {
    if (event.type === 'agent') this.agents.push(event.agent);
    else if (event.type === 'action') this.actions.push(event.action);
    else this.commands.push(event.command);
    if (this.isScheduled) return;
    this.isScheduled = true;
    this.schedule(() => this.apply());
  }

  apply(): void {
    this.isScheduled = false;
    const { agents, actions, commands } = this;
    this.agents = [];
    this.actions = [];
    this.commands = [];
    if (agents.length > 0) this.stores.agents.set((s) => upsertAgents(s, agents));
    if (actions.length > 0) {
      this.stores.actions.set((s) => upsertActions(s, actions));
      this.stores.investigations.set((s) => upsertActionRecords(s, actions));
    }
    if (commands.length > 0) this.stores.investigations.set((s) => upsertCommands(s, commands));
  }
}
