import type { FrameBatcher } from './frame-batcher.js';

/** What hooks need: a snapshot that keeps its identity until the state changes. */
export interface ReadableStore<S> {
  // Function-typed properties, not methods: useStore hands them to React detached from the store.
  getState: () => S;
  subscribe: (listener: () => void) => () => void;
}

/**
 * A plain observable value with no React in sight. Listeners are told through the frame batcher,
 * so many updates between two frames render once. `getState` is always current; only the
 * notification is deferred.
 */
export class Store<S> implements ReadableStore<S> {
  private state: S;
  private readonly listeners = new Set<() => void>();
  private readonly notify = (): void => {
    for (const listener of [...this.listeners]) listener();
  };

  constructor(
    initial: S,
    private readonly batcher?: FrameBatcher,
  ) {
    this.state = initial;
  }

  getState = (): S => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Replaces the state; an update that returns the same object changes nothing. */
  set(next: S | ((current: S) => S)): void {
    const value = typeof next === 'function' ? (next as (current: S) => S)(this.state) : next;
    if (Object.is(value, this.state)) return;
    this.state = value;
    if (this.batcher === undefined) this.notify();
    else this.batcher.request(this.notify);
  }
}
