interface PendingLine {
  line: Buffer;
  onWritten: ((offset: number) => void) | undefined;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * One journal file's jobs, run one at a time in call order (appends, read-backs, rewrites), and
 * its appends grouped: every line asked for before the queue gets to the next append goes out
 * in one write (group commit: concurrent commands cost one syscall, not one each).
 */
export class WriteQueue {
  private queue: Promise<unknown> = Promise.resolve();
  private pending: PendingLine[] = [];

  /** `appendBatch` writes the lines in one go and returns the file offset the first one starts at. */
  constructor(private readonly appendBatch: (data: Buffer, lines: number) => Promise<number>) {}

  /** Runs `job` after every job queued before it; a failed job does not stop later ones. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Appends `line` with the lines queued alongside it, in call order. `onWritten` gets where the
   * line starts, in the queue, before any later job runs; the promise resolves once it is written.
   */
  append(line: Buffer, onWritten?: (offset: number) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ line, onWritten, resolve, reject });
      if (this.pending.length === 1) void this.run(() => this.writePending()).catch(() => undefined);
    });
  }

  private async writePending(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
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
