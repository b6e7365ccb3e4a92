import type { LinkMessage } from './server-link.js';

/**
 * Heartbeats on their way from the embedded broker to the registry: handed over at the end of
 * the current tick (a microtask), together with any others aedes delivers in it. Not deferred
 * to setImmediate: aedes delivers from its own setImmediate (after the PUBACK write), so that
 * cost one more turn of the event loop, an extra epoll_wait, per heartbeat (measured worse). With 10,000 agents beating every 30 s the server takes ~333 a second, one per
 * socket read; the group commit (group-commit.ts) gave each a promise and, while they streamed
 * in, made each wait for a 10 ms timer built for results that must reach the disk. A heartbeat
 * needs neither: the registry takes it at once in memory and persists beat times in batches.
 * Order is kept: beats are handed over in the order they arrived.
 */
export class BeatsLane {
  private waiting: LinkMessage[] = [];
  private isScheduled = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly handle: (messages: LinkMessage[]) => Promise<void>,
    private readonly log: (msg: string) => void,
  ) {}

  add(message: LinkMessage): void {
    this.waiting.push(message);
    if (this.isScheduled) return;
    this.isScheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** Resolves once every beat added so far has been handed over and handled. */
  async drain(): Promise<void> {
    while (this.isScheduled || this.inFlight !== undefined) {
      if (this.isScheduled) this.flush();
      await this.inFlight;
    }
  }

  private flush(): void {
    if (!this.isScheduled) return;
    this.isScheduled = false;
    const messages = this.waiting;
    this.waiting = [];
    if (messages.length === 0) return;
    const handled = this.handle(messages).catch((err: unknown) =>
      this.log(`link: handling ${messages.length} heartbeat message(s) failed: ${(err as Error).message}`),
    );
    // Joined with the previous hand-over, so drain() waits for every one still running.
    const tracked: Promise<void> = Promise.all([this.inFlight, handled]).then(() => {
      if (this.inFlight === tracked) this.inFlight = undefined;
    });
    this.inFlight = tracked;
  }
}
