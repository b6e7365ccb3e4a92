/**
 * Time as the server sees it, injectable so tests can move it: `now()` for timestamps and
 * status ages, `schedule()` for expiry and delayed launches. Periodic housekeeping (flushes,
 * SSE pings) keeps real timers: it never decides an outcome.
 */
export interface Clock {
  now(): Date;
  /** Runs `fn` once the clock reaches `atMs` (epoch ms); returns a cancel function. */
  schedule(atMs: number, fn: () => void): () => void;
}

/** setTimeout's delay is a signed 32-bit int: longer waits are re-armed in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Real timers, measured against `now` (the system clock unless one is injected). */
export function systemClock(now: () => Date = () => new Date()): Clock {
  return {
    now,
    schedule(atMs, fn) {
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        const delayMs = atMs - now().getTime();
        if (delayMs <= 0) {
          timer = undefined;
          fn();
          return;
        }
        timer = setTimeout(arm, Math.min(delayMs, MAX_TIMEOUT_MS));
        timer.unref();
      };
      // Never call fn synchronously: callers schedule while holding state they are still building.
      timer = setTimeout(arm, 0);
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}

/** A clock that only moves when told to: `advance()` runs every timer that falls due, in order. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(date: Date): void;
  /** Timers still waiting. */
  pending(): number;
}

export function manualClock(start: Date = new Date()): ManualClock {
  let nowMs = start.getTime();
  let seq = 0;
  const timers = new Map<number, { atMs: number; fn: () => void }>();
  const runDue = (): void => {
    for (;;) {
      const due = [...timers.entries()]
        .filter(([, t]) => t.atMs <= nowMs)
        .sort((a, b) => a[1].atMs - b[1].atMs || a[0] - b[0])[0];
      if (due === undefined) return;
      timers.delete(due[0]);
      due[1].fn();
    }
  };
  return {
    now: () => new Date(nowMs),
    schedule(atMs, fn) {
      const id = ++seq;
      timers.set(id, { atMs, fn });
      // Due timers still run asynchronously, like the system clock's.
      if (atMs <= nowMs) queueMicrotask(runDue);
      return () => void timers.delete(id);
    },
    advance(ms) {
      nowMs += ms;
      runDue();
    },
    set(date) {
      nowMs = date.getTime();
      runDue();
    },
    pending: () => timers.size,
  };
}
