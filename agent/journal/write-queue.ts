interface PendingLine {
  line: Buffer;
  onWritten: ((offset: number) => void) | undefined;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * How long a line appended with appendLater() may wait for company before it is written on its
 * own: one timer per journal, armed by the first waiting line, never one per line.
 */
export const LATER_MS = 1000;

/**
 * One journal file's jobs, run one at a time in call order (appends, read-backs, rewrites), and
 * its appends grouped: every line asked for before the queue gets to the next append goes out
 * in one write (group commit: concurrent commands cost one syscall, not one each).
 *
 * A line appended "later" (appendLater: a record whose loss at a crash is harmless, such as a
 * command's end) waits for the next append, or for any other job (a read-back, a rewrite,
 * flushed(), close()), or LATER_MS, whichever comes first: in a burst of commands it rides on
 * the next command's line instead of costing a write of its own.
 */
export class WriteQueue {
  private queue: Promise<unknown> = Promise.resolve();
  private pending: PendingLine[] = [];
  /** A writePending job is queued and has not taken the pending lines yet. */
  private isWriteQueued = false;
  private laterTimer: NodeJS.Timeout | undefined;

  /** `appendBatch` writes the lines in one go and returns the file offset the first one starts at. */
  constructor(private readonly appendBatch: (data: Buffer, lines: number) => Promise<number>) {}

  /**
   * Runs `job` after every job queued before it, and after the lines waiting to be appended
   * later (a rewrite or a read-back must see them in the file); a failed job does not stop later ones.
   */
  run<T>(job: () => Promise<T>): Promise<T> {
    this.queueWrite();
    return this.chain(job);
  }

  /**
   * Appends `line` with the lines queued alongside it, in call order. `onWritten` gets where the
   * line starts, in the queue, before any later job runs; the promise resolves once it is written.
   */
  append(line: Buffer, onWritten?: (offset: number) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ line, onWritten, resolve, reject });
      this.queueWrite();
    });
  }

  /**
   * Appends `line` with the next write of this file (see the class comment), in call order with
   * every other append. Nobody waits for it: a failed write goes to `onFailed`.
   */
  appendLater(line: Buffer, onWritten: (offset: number) => void, onFailed: (err: unknown) => void): void {
    this.pending.push({ line, onWritten, resolve: () => undefined, reject: onFailed });
    if (this.isWriteQueued || this.laterTimer !== undefined) return;
    this.laterTimer = setTimeout(() => {
      this.laterTimer = undefined;
      this.queueWrite();
    }, LATER_MS);
    // A process that ends without close() loses only lines whose loss is harmless.
    this.laterTimer.unref();
  }

  private queueWrite(): void {
    if (this.isWriteQueued || this.pending.length === 0) return;
    this.isWriteQueued = true;
    clearTimeout(this.laterTimer);
    this.laterTimer = undefined;
    void this.chain(() => this.writePending()).catch(() => undefined);
  }

  private chain<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<void> {
    this.isWriteQueued = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const [only] = batch;
    const data = batch.length === 1 && only !== undefined ? only.line : Buffer.concat(batch.map((p) => p.line));
    let offset: number;
    try {
      offset = await this.appendBatch(data, batch.length);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const p of batch) {
      p.onWritten?.(offset);
      offset += p.line.length;
      p.resolve();
    }
  }
}
