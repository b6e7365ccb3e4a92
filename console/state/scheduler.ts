/** Time and timers, injected so tests drive the clock instead of waiting on it. */
export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Opaque: whatever the scheduler hands back. */
export type TimerHandle = { readonly timer: unknown };

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    // A pending repaint or clock tick must never keep the process alive after the console quits.
    timer.unref();
    return { timer };
  },
  clearTimeout: (handle) => clearTimeout(handle.timer as NodeJS.Timeout),
};
