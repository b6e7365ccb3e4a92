import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import type { ConsoleBackend, ConnectionStatus, LiveEvent } from './backend.js';
import { createStores, snapshotOf, type ConsoleSnapshot, type ConsoleStores } from './console-stores.js';
import { DEFAULT_TUNING, type ControllerTuning, type Ctl } from './controller-api.js';
import { runIntent } from './dispatch.js';
import { FrameBatcher } from './frame-batcher.js';
import type { Intent } from './intents.js';
import { routeKey } from './key-router.js';
import type { KeyEvent } from './keys.js';
import { LiveEventQueue } from './live-events.js';
import { PasteCollector } from './paste.js';
import { loadActions, loadAgents } from './loaders.js';
import { realScheduler, type Scheduler, type TimerHandle } from './scheduler.js';
import { errorText } from './text.js';
import { clampSize, type TerminalSize } from './ui-state.js';

export interface ControllerOptions {
  backend: ConsoleBackend;
  modules: ReadonlyMap<string, AnyModuleSpec>;
  isReadOnly?: boolean;
  scheduler?: Scheduler;
  tuning?: Partial<ControllerTuning>;
}

/**
 * The console without React: stores, the single intent dispatcher, key routing, live events and
 * timers. The Ink app only renders its stores and forwards keys and terminal size to it.
 */
export class ConsoleController implements Ctl {
  readonly stores: ConsoleStores;
  readonly backend: ConsoleBackend;
  readonly modules: ReadonlyMap<string, AnyModuleSpec>;
  readonly scheduler: Scheduler;
  readonly tuning: ControllerTuning;
  readonly batcher: FrameBatcher;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly events: LiveEventQueue;
  private unsubscribe: (() => void) | undefined;
  private flashSeq = 0;
  private isDisposed = false;
  private readonly paste = new PasteCollector();

  constructor(opts: ControllerOptions) {
    this.backend = opts.backend;
    this.modules = opts.modules;
    this.scheduler = opts.scheduler ?? realScheduler;
    this.tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    this.batcher = new FrameBatcher(this.scheduler, this.tuning.frameIntervalMs);
    this.stores = createStores(this.batcher, {
      isReadOnly: opts.isReadOnly ?? false,
      modules: this.modules,
      nowMs: this.scheduler.now(),
      me: this.backend.investigator.fingerprint,
    });
    this.events = new LiveEventQueue(this.stores, (fn) => this.setTimer('events', this.tuning.frameIntervalMs, fn));
  }

  /** Loads the first views, subscribes to live events and starts the clock. */
  start(): void {
    // Restartable, so a React effect that runs twice (StrictMode) still ends subscribed once.
    this.unsubscribe?.();
    this.isDisposed = false;
    this.unsubscribe = this.backend.subscribe(
      (e: LiveEvent) => this.events.push(e),
      (s: ConnectionStatus) => this.stores.ui.set((ui) => (ui.connection === s ? ui : { ...ui, connection: s })),
    );
    loadAgents(this);
    loadActions(this);
    this.tick();
  }

  dispose(): void {
    this.isDisposed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const handle of this.timers.values()) this.scheduler.clearTimeout(handle);
    this.timers.clear();
    this.batcher.dispose();
  }

  private tick(): void {
    this.stores.clock.set(this.scheduler.now());
    // Align ticks to whole seconds so the clock never shows a skipped second.
    this.setTimer('clock', 1000 - (this.scheduler.now() % 1000), () => this.tick());
  }

  snapshot(): ConsoleSnapshot {
    return snapshotOf(this.stores, this.modules);
  }

  handleKey(ev: KeyEvent): void {
    if (this.isDisposed) return;
    const routed = this.paste.accept(ev);
    if (routed !== undefined) routeKey(this, routed);
    this.batcher.flushSoon();
  }

  dispatch(intent: Intent): void {
    if (this.isDisposed) return;
    runIntent(this, intent);
  }

  resize(size: TerminalSize): void {
    const next = clampSize(size);
    this.stores.ui.set((ui) =>
      ui.size.columns === next.columns && ui.size.rows === next.rows ? ui : { ...ui, size: next },
    );
  }

  flash(level: 'info' | 'error', text: string): void {
    const seq = ++this.flashSeq;
    this.stores.ui.set((ui) => ({ ...ui, flash: { level, text, seq } }));
    this.setTimer('flash', this.tuning.flashMs * (level === 'error' ? 2 : 1), () =>
      this.stores.ui.set((ui) => (ui.flash?.seq === seq ? { ...ui, flash: undefined } : ui)),
    );
  }

  flashError(err: unknown): void {
    this.flash('error', errorText(err));
  }

  setTimer(name: string, ms: number, fn: () => void): void {
    this.clearTimer(name);
    if (this.isDisposed) return;
    this.timers.set(
      name,
      this.scheduler.setTimeout(() => {
        this.timers.delete(name);
        if (!this.isDisposed) fn();
      }, ms),
    );
  }

  clearTimer(name: string): void {
    const handle = this.timers.get(name);
    if (handle !== undefined) this.scheduler.clearTimeout(handle);
    this.timers.delete(name);
  }

  run(task: () => Promise<void>): void {
    task().catch((err: unknown) => {
      if (!this.isDisposed) this.flashError(err);
    });
  }
}
