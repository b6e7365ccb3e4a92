import type { Scheduler, TimerHandle } from '../../../../console/state/scheduler.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock tests move by hand: `advance(ms)` runs every timer that falls due, in order. */
export class ManualScheduler implements Scheduler {
  private nowMs: number;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(startMs = Date.parse('2026-01-15T12:00:00Z')) {
    this.nowMs = startMs;
  }

  now = (): number => this.nowMs;

  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    const seq = ++this.seq;
    this.pending.set(seq, { at: this.nowMs + Math.max(0, ms), seq, fn });
    return { timer: seq };
  };

  clearTimeout = (handle: TimerHandle): void => {
    this.pending.delete(handle.timer as number);
  };

  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const due = [...this.pending.values()].filter((p) => p.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.pending.delete(due.seq);
      this.nowMs = Math.max(this.nowMs, due.at);
      due.fn();
    }
    this.nowMs = end;
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}
