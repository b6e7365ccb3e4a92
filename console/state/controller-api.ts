import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import type { ConsoleBackend } from './backend.js';
import type { ConsoleSnapshot, ConsoleStores } from './console-stores.js';
import type { Intent } from './intents.js';
import type { Scheduler } from './scheduler.js';

export interface ControllerTuning {
  /** Minimum time between two frames: 100 ms is 10 frames/s. 0 renders every change (tests). */
  frameIntervalMs: number;
  /** Quiet time after the last keystroke in the target field before asking the server to count. */
  countDebounceMs: number;
  /** Seconds between signing and sending, during which Esc cancels. */
  countdownSeconds: number;
  /** How long a flash message stays. */
  flashMs: number;
  /** Commands fetched per page when an action is opened. */
  commandPageSize: number;
}

export const DEFAULT_TUNING: ControllerTuning = {
  frameIntervalMs: 100,
  countDebounceMs: 300,
  countdownSeconds: 3,
  flashMs: 6000,
  commandPageSize: 1000,
};

/** What the key router, dispatcher and effects need from the controller (breaks import cycles). */
export interface Ctl {
  readonly stores: ConsoleStores;
  readonly backend: ConsoleBackend;
  readonly modules: ReadonlyMap<string, AnyModuleSpec>;
  readonly scheduler: Scheduler;
  readonly tuning: ControllerTuning;
  snapshot(): ConsoleSnapshot;
  dispatch(intent: Intent): void;
  flash(level: 'info' | 'error', text: string): void;
  flashError(err: unknown): void;
  /** One named timer at a time per name: setting it again replaces the pending one. */
  setTimer(name: string, ms: number, fn: () => void): void;
  clearTimer(name: string): void;
  /** Runs a backend call; a rejection becomes a flash line, never an unhandled rejection. */
  run(task: () => Promise<void>): void;
}
