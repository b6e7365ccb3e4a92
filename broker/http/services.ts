import type { AuditLog } from '../audit/audit-log.js';
import type { Investigators } from '../auth/investigators.js';
import type { Clock } from '../clock.js';
import type { EventHub } from '../events/event-hub.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Store } from '../store/store.js';

/** What the route handlers work with. */
export interface ApiServices {
  store: Store;
  registry: AgentRegistry;
  scheduler: Scheduler;
  investigators: Investigators;
  /** For admin decisions that are not investigator changes (agent enrollment). */
  audit: AuditLog;
  events: EventHub;
  clock: Clock;
  log: (msg: string) => void;
  version: string;
}
