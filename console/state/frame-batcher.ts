import type { Scheduler, TimerHandle } from './scheduler.js';

/**
 * Coalesces store notifications into frames: at most one flush per `intervalMs` (10 frames/s at
 * 100 ms), so a burst of thousands of live results costs a handful of renders. The first change
 * after a quiet period flushes on the next microtask, which keeps a keypress → frame fast;
 * changes made in the same tick always land in the same frame.
 */
export class FrameBatcher {
  private readonly dirty = new Set<() => void>();
  private lastFlushMs = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | undefined;
  private isMicrotaskQueued = false;

  constructor(
    private readonly scheduler: Scheduler,
    readonly intervalMs = 100,
  ) {}

  /** Asks for `notify` to run in the next frame; asking twice before it runs notifies once. */
  request(notify: () => void): void {
    this.dirty.add(notify);
    if (this.timer !== undefined || this.isMicrotaskQueued) return;
    const waitMs = this.lastFlushMs + this.intervalMs - this.scheduler.now();
    if (waitMs <= 0) {
      this.isMicrotaskQueued = true;
      queueMicrotask(() => {
        this.isMicrotaskQueued = false;
        this.flush();
      });
    } else {
      this.timer = this.scheduler.setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, waitMs);
    }
  }

  /**
   * Flushes on the next microtask whatever the interval says: a keypress deserves its frame at
   * once. The cap on frames per second is for streaming data, not for the person typing.
   */
  flushSoon(): void {
    if (this.dirty.size === 0 || this.isMicrotaskQueued) return;
    this.isMicrotaskQueued = true;
    queueMicrotask(() => {
      this.isMicrotaskQueued = false;
      this.flush();
    });
  }

  /** Runs every pending notification now. */
  flush(): void {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty.size === 0) return;
    this.lastFlushMs = this.scheduler.now();
    const pending = [...this.dirty];
    this.dirty.clear();
    for (const notify of pending) notify();
  }

  /** Drops pending notifications and the timer; a later request starts afresh. */
  dispose(): void {
    this.dirty.clear();
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
