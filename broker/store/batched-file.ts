import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';

/** How long changes to one file may wait before they are written together. */
export const DEFAULT_FLUSH_MS = 200;
/**
 * A scheduled write waits at least this many times as long as the last write of the file took,
 * so rewriting one large file (agents.json with 10,000 agents is ~7 MB of JSON) never takes
 * more than about a tenth of the server's time, however often it changes. Writes asked for
 * with flush() (durability 'now') never wait.
 */
const WRITE_TIME_MULTIPLE = 9;

interface Waiter {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * One lowdb JSON file whose writes are batched: every change schedules at most one write per
 * `flushMs`, and every caller's promise resolves when a write that started after its change
 * has landed. lowdb rewrites the whole file each time (its steno writer does tmp + rename, so a
 * crash leaves the old or the new file, never half of one): keep each file small.
 */
export class BatchedFile<T> {
  private readonly db: Low<T>;
  private waiter: Waiter | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private lastWriteMs = 0;

  private constructor(
    path: string,
    data: T,
    private readonly flushMs: number,
  ) {
    // Compact JSON: these files are read by programs, and size is the cost we are keeping down.
    this.db = new Low<T>(new DataFile<T>(path, { parse: JSON.parse, stringify: (d) => JSON.stringify(d) }), data);
  }

  /**
   * Opens `path`, validating what is there with `parse`; a missing file starts as `initial`
   * (null: there must be a file, and `parse` sees null when there is none).
   */
  static async open<T>(
    path: string,
    initial: T | null,
    parse: (raw: unknown) => T,
    flushMs = DEFAULT_FLUSH_MS,
  ): Promise<BatchedFile<T>> {
    // lowdb refuses undefined default data; null passes and is caught by `parse`.
    const file = new BatchedFile<T>(path, initial as T, flushMs);
    await file.db.read();
    file.db.data = parse(file.db.data);
    return file;
  }

  /** A new file that does not exist on disk yet (nothing to read). */
  static create<T>(path: string, data: T, flushMs = DEFAULT_FLUSH_MS): BatchedFile<T> {
    return new BatchedFile<T>(path, data, flushMs);
  }

  get data(): T {
    return this.db.data;
  }

  /** Replaces the data and schedules a write; the promise resolves once it is on disk. */
  set(data: T): Promise<void> {
    this.db.data = data;
    return this.schedule();
  }

  /** Schedules a write of the current data within `flushMs`. */
  schedule(): Promise<void> {
    if (this.waiter === undefined) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Callers that do not await (counter updates) must not turn a failed write into an
      // unhandled rejection; callers that do await still see it.
      promise.catch(() => undefined);
      this.waiter = { promise, resolve, reject };
      this.timer = setTimeout(() => void this.flush(), Math.max(this.flushMs, this.lastWriteMs * WRITE_TIME_MULTIPLE));
    }
    return this.waiter.promise;
  }

  /** Writes now if anything is pending; resolves when every change made so far is on disk. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const waiter = this.waiter;
    if (waiter === undefined) return this.inFlight;
    this.waiter = undefined;
    // The data is serialised synchronously inside write(), so this write holds every change
    // made before this line; steno queues it behind any write still running.
    const startMs = performance.now();
    const write = this.db.write();
    void write.then(
      () => (this.lastWriteMs = performance.now() - startMs),
      () => undefined,
    );
    this.inFlight = write.catch(() => undefined);
    write.then(waiter.resolve, waiter.reject);
    return waiter.promise;
  }

  /** Changes made and not yet written. */
  get isDirty(): boolean {
    return this.waiter !== undefined;
  }
}
