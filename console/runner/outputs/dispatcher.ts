import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DiskQueue } from './disk-queue.js';
import type { OutputEvent } from './ecs.js';
import { PermanentFailure, type Sink } from './sinks.js';

export interface DispatcherOptions {
  /** Each sink's queue lives in <stateDir>/queue-<n>. */
  stateDir: string;
  log(line: string): void;
  /** First retry delay; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

interface Lane {
  sink: Sink;
  queue: DiskQueue;
  deadLetters: string;
  backoffMs: number;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

/**
 * Fans every event out to every sink through its own disk queue: an event is on disk for each
 * sink before any delivery starts, each sink drains at its own pace, and one that is down is
 * retried with exponential back-off while the others go on.
 */
export class OutputDispatcher {
  private isClosed = false;

  private constructor(
    private readonly lanes: Lane[],
    private readonly opts: Required<DispatcherOptions>,
  ) {}

  static async open(sinks: readonly Sink[], options: DispatcherOptions): Promise<OutputDispatcher> {
    const opts = { backoffMs: 1_000, maxBackoffMs: 300_000, ...options };
    const lanes: Lane[] = [];
    for (const [i, sink] of sinks.entries()) {
      const dir = join(opts.stateDir, `queue-${i + 1}`);
      lanes.push({
        sink,
        queue: await DiskQueue.open(dir),
        deadLetters: join(dir, 'dead-letters.ndjson'),
        backoffMs: opts.backoffMs,
      });
    }
    const dispatcher = new OutputDispatcher(lanes, opts);
    for (const lane of lanes) dispatcher.kick(lane); // what a previous run left undelivered
    return dispatcher;
  }

  /** Resolves once the events are in every sink's queue (not yet delivered). */
  async publish(events: readonly OutputEvent[]): Promise<void> {
    const lines = events.map((e) => JSON.stringify(e));
    await Promise.all(this.lanes.map((lane) => lane.queue.push(lines)));
    for (const lane of this.lanes) this.kick(lane);
  }

  /** Waits until every queue is empty or `timeoutMs` passed; true when all were delivered. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await Promise.all(this.lanes.map((l) => l.running ?? Promise.resolve()));
      const backlog = await Promise.all(this.lanes.map((l) => l.queue.backlogBytes()));
      if (backlog.every((b) => b === 0)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    this.isClosed = true;
    for (const lane of this.lanes) clearTimeout(lane.timer);
    await Promise.all(this.lanes.map((l) => l.running ?? Promise.resolve()));
    await Promise.all(this.lanes.map((l) => l.sink.close()));
  }

  private kick(lane: Lane): void {
    if (this.isClosed || lane.running !== undefined || lane.timer !== undefined) return;
    lane.running = this.drain(lane).finally(() => {
      lane.running = undefined;
    });
  }

  private async drain(lane: Lane): Promise<void> {
    for (;;) {
      const batch = await lane.queue.pending(100);
      if (batch.length === 0) return;
      for (const { line, end } of batch) {
        if (this.isClosed) return;
        try {
          await lane.sink.deliver(line);
        } catch (err) {
          if (err instanceof PermanentFailure) {
            this.opts.log(`output ${lane.sink.name}: ${err.message}; event kept in ${lane.deadLetters}`);
            await appendFile(lane.deadLetters, `${line}\n`, { mode: 0o600 });
          } else {
            this.opts.log(
              `output ${lane.sink.name}: ${(err as Error).message}; retrying in ${Math.round(lane.backoffMs / 1000)}s (nothing is lost: ${lane.deadLetters.replace(/dead-letters\.ndjson$/, 'queue.ndjson')})`,
            );
            lane.timer = setTimeout(() => {
              lane.timer = undefined;
              this.kick(lane);
            }, lane.backoffMs);
            lane.timer.unref();
            lane.backoffMs = Math.min(lane.backoffMs * 2, this.opts.maxBackoffMs);
            return;
          }
        }
        lane.backoffMs = this.opts.backoffMs;
        await lane.queue.ack(end);
      }
    }
  }
}
