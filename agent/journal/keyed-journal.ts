import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { readLine, rewriteFile, splitLines, writeAll } from './keyed-journal-io.js';
import type { KeyedJournalOptions, KeyedLimits, KeyedLine } from './keyed-journal-types.js';
import { LineTooLargeError } from './keyed-journal-types.js';
import { WriteQueue } from './write-queue.js';

export {
  LineTooLargeError,
  type KeyedJournalOptions,
  type KeyedLimits,
  type KeyedLine,
} from './keyed-journal-types.js';

/** Dead bytes and lines tolerated before a rewrite, at least: small journals are not rewritten often. */
const MIN_WASTE_BYTES = 1024 * 1024;
const MIN_WASTE_LINES = 1000;

interface Entry<M> {
  until: number;
  meta: M;
  line: Buffer | undefined; // held only until written: then the file has it
  /** Where its line starts in the file; -1 while its append waits in the queue. */
  offset: number;
  bytes: number;
}

/**
 * Keyed JSON lines with expiry: the one primitive under the replay, answer and running journals.
 * Memory holds each live key's expiry, a small `meta` and where its line is; the line itself is
 * on disk (read back with read()). Appends go through one queue, so they reach the file in call
 * order and each resolves once its line is written (no fsync: we guard against process death,
 * not power loss). put() and remove() change memory at once, before their write: a caller that
 * checks has() then puts, with no await between, cannot race another caller.
 *
 * Later lines win at load; dead lines (expired, replaced, removed, dropped over the caps, torn)
 * go at the next rewrite: at open, and whenever they outweigh the live ones. A rewrite goes
 * through a temp file and a rename: a kill mid-way leaves the old file whole.
 */
export class KeyedJournal<M> {
  private readonly entries = new Map<string, Entry<M>>();
  private readonly limits: KeyedLimits;
  /** Bytes of live lines already in the file. */
  private writtenLiveBytes = 0;
  /** Bytes of live lines, written or queued: what the caps count. */
  private liveBytes = 0;
  private fileBytes = 0;
  private linesInFile = 0;
  /** Every file job, in order; appends grouped (write-queue.ts). */
  private readonly queue = new WriteQueue((data, lines) => this.append(data, lines));
  /** Set when a failed append may have left part of a line: the next write rewrites first. */
  private isDamaged = false;
  private isCompactionQueued = false;
  /**
   * Kept open for appends (O_APPEND): fs/promises.appendFile opens and closes per call, which
   * cost ~3x the CPU of one write on a held handle. Reopened after each rewrite (new inode).
   */
  private handle: FileHandle | undefined;

  private constructor(private readonly opts: KeyedJournalOptions<M>) {
    this.limits = { maxEntries: Infinity, maxBytes: Infinity, maxLineBytes: Infinity, ...opts.limits };
  }

  /** Loads the file (missing: empty), then rewrites it at once if anything in it is dead. */
  static async open<M>(opts: KeyedJournalOptions<M>): Promise<KeyedJournal<M>> {
    const journal = new KeyedJournal(opts);
    await journal.load();
    journal.evict(true);
    // Before the first append: a torn last line must not swallow the next one.
    if (journal.fileBytes !== journal.writtenLiveBytes || journal.linesInFile !== journal.entries.size)
      await journal.queue.run(() => journal.compact());
    return journal;
  }

  get path(): string {
    return this.opts.path;
  }

  /** Live entries, expired ones included until the next put or rewrite drops them. */
  get size(): number {
    return this.entries.size;
  }

  /** The live entry under `key`; undefined if none, or if it expired. */
  get(key: string): { until: number; meta: M } | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.until >= this.nowMs() ? { until: entry.until, meta: entry.meta } : undefined;
  }

  /** Every live entry, oldest first. */
  *live(): Generator<KeyedLine<M>> {
    const nowMs = this.nowMs();
    for (const [key, entry] of this.entries)
      if (entry.until >= nowMs) yield { key, until: entry.until, meta: entry.meta };
  }

  /**
   * Keeps `value` (one JSON line) under `key` until `until`, replacing any earlier entry. Memory
   * changes now; the promise resolves once the line is in the file. Rejects (and forgets the key)
   * if the line is too large or cannot be written.
   */
  put(key: string, until: number, meta: M, value: unknown): Promise<void> {
    const line = this.keep(key, until, meta, value);
    if (line instanceof Error) return Promise.reject(line);
    return this.queue
      .append(line.data, line.onWritten)
      .catch((err: unknown) => {
        line.onFailed();
        throw err;
      })
      .finally(() => this.compactIfWasteful());
  }

  /**
   * put() for a line whose loss at a crash is harmless (the previous line for `key` then counts
   * at the next open): memory changes now, the line goes out with this file's next write
   * (write-queue.ts, appendLater), and nobody waits for it. A line that cannot be written is
   * logged and the key forgotten, as put() does.
   */
  putLater(key: string, until: number, meta: M, value: unknown): void {
    const line = this.keep(key, until, meta, value);
    if (line instanceof Error) return this.opts.log('warn', `${this.opts.what} ${this.path}: ${line.message}`);
    const onWritten = (offset: number): void => {
      line.onWritten(offset);
      queueMicrotask(() => this.compactIfWasteful()); // once the whole batch counts as written
    };
    this.queue.appendLater(line.data, onWritten, (err) => {
      line.onFailed();
      this.opts.log('warn', `${this.opts.what} ${this.path}: a line was not written: ${(err as Error).message}`);
    });
  }

  /** Memory's side of put(): the entry now, and what to do once its line is written or failed. */
  private keep(
    key: string,
    until: number,
    meta: M,
    value: unknown,
  ): { data: Buffer; onWritten: (offset: number) => void; onFailed: () => void } | LineTooLargeError {
    this.forget(key);
    const line = Buffer.from(`${JSON.stringify(value)}\n`);
    if (line.length > this.limits.maxLineBytes) return new LineTooLargeError(line.length, this.limits.maxLineBytes);
    const entry: Entry<M> = { until, meta, line, offset: -1, bytes: line.length };
    this.entries.set(key, entry);
    this.liveBytes += line.length;
    this.evict();
    return {
      data: line,
      onWritten: (offset) => {
        entry.line = undefined;
        if (this.entries.get(key) !== entry) return; // forgotten meanwhile: its line is dead already
        entry.offset = offset;
        this.writtenLiveBytes += line.length;
      },
      onFailed: () => {
        if (this.entries.get(key) === entry) this.forget(key);
      },
    };
  }

  /**
   * Forgets `key` now. With a `tombstone` (a line that decodes as already expired), also appends
   * it, so that a reopened journal forgets the key too; resolves once it is written.
   */
  async remove(key: string, tombstone?: unknown): Promise<void> {
    this.forget(key);
    if (tombstone === undefined) return;
    const line = Buffer.from(`${JSON.stringify(tombstone)}\n`);
    await this.queue.append(line).finally(() => this.compactIfWasteful());
  }

  /** remove() whose tombstone goes out with this file's next write, as putLater() does (nobody waits). */
  removeLater(key: string, tombstone: unknown): void {
    this.forget(key);
    const line = Buffer.from(`${JSON.stringify(tombstone)}\n`);
    this.queue.appendLater(
      line,
      () => queueMicrotask(() => this.compactIfWasteful()),
      (err) =>
        this.opts.log('warn', `${this.opts.what} ${this.path}: a line was not written: ${(err as Error).message}`),
    );
  }

  /** Forgets `key` in memory only: its line is dead weight until the next rewrite. */
  forget(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.liveBytes -= entry.bytes;
    if (entry.offset >= 0) this.writtenLiveBytes -= entry.bytes;
  }

  /** The live entry's line, read back from the file and parsed; undefined if none. Rejects if unreadable. */
  async read(key: string): Promise<unknown> {
    return this.queue.run(async () => {
      const entry = this.entries.get(key);
      if (entry === undefined || entry.until < this.nowMs()) return undefined;
      const handle = await open(this.path, 'r');
      try {
        return JSON.parse((await readLine(handle, entry)).toString('utf8')) as unknown;
      } finally {
        await handle.close();
      }
    });
  }

  /** Resolves once every write asked for so far is done (or failed). */
  async flushed(): Promise<void> {
    await this.queue.run(() => Promise.resolve());
  }

  /** Waits for the writes asked for so far, then lets go of the file; a later write opens it again. */
  async close(): Promise<void> {
    await this.queue.run(() => this.closeHandle());
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private nowMs(): number {
    return this.opts.now().getTime();
  }

  /**
   * Runs in the queue; returns where `data` starts in the file. A write that fails is cut back
   * off the file, so no torn line stays in the middle.
   */
  private async append(data: Buffer, lines: number): Promise<number> {
    if (this.isDamaged) await this.compact();
    try {
      this.handle ??= await open(this.path, 'a', 0o600);
      await writeAll(this.handle, data);
    } catch (err) {
      await truncate(this.path, this.fileBytes).catch(() => (this.isDamaged = true));
      throw err;
    }
    const offset = this.fileBytes;
    this.fileBytes += data.length;
    this.linesInFile += lines;
    return offset;
  }

  private async load(): Promise<void> {
    let data: Buffer;
    try {
      data = await readFile(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let bad = 0;
    for (const found of splitLines(data)) {
      if (found === 'torn') {
        bad += 1; // a torn last line (a kill during append): the only expected damage
        break;
      }
      const line = this.decodeLine(found.line);
      this.linesInFile += 1;
      if (line === undefined) bad += 1;
      else {
        this.forget(line.key);
        const { offset, bytes } = found.span;
        this.entries.set(line.key, { until: line.until, meta: line.meta, line: undefined, offset, bytes });
        this.liveBytes += bytes;
        this.writtenLiveBytes += bytes;
      }
    }
    this.fileBytes = data.length;
    if (bad > 0) this.opts.log('warn', `${this.opts.what} ${this.path}: skipped ${bad} unreadable line(s)`);
  }

  private decodeLine(bytes: Buffer): KeyedLine<M> | undefined {
    try {
      return this.opts.decode(JSON.parse(bytes.toString('utf8')));
    } catch {
      return undefined;
    }
  }

  /**
   * Drops the oldest entries while over the caps, and expired ones: all of them when `isFull`
   * (open, rewrite), else only those at the front, so a put costs O(1) however many are live
   * (entries mostly expire in the order they were put; one that does not waits for the rewrite).
   */
  private evict(isFull = false): void {
    const nowMs = this.nowMs();
    for (const [key, entry] of this.entries) {
      const isOver = this.entries.size > this.limits.maxEntries || this.liveBytes > this.limits.maxBytes;
      if (isOver || entry.until < nowMs) this.forget(key);
      else if (!isFull) break;
    }
  }

  /** More dead than live (past a floor): rewriting now costs at most what was appended since the last one. */
  private compactIfWasteful(): void {
    const deadBytes = this.fileBytes - this.writtenLiveBytes;
    const deadLines = this.linesInFile - this.entries.size;
    const isWasteful =
      deadBytes > Math.max(this.writtenLiveBytes, MIN_WASTE_BYTES) ||
      deadLines > Math.max(this.entries.size, MIN_WASTE_LINES);
    if (!isWasteful || this.isCompactionQueued) return;
    this.isCompactionQueued = true;
    this.queue
      .run(() => {
        this.isCompactionQueued = false;
        return this.compact();
      })
      .catch((err: unknown) =>
        this.opts.log('warn', `${this.opts.what} ${this.path}: not compacted: ${(err as Error).message}`),
      );
  }

  /** Runs in the queue: rewrites the file with the live lines already written (queued ones follow). */
  private async compact(): Promise<void> {
    this.evict(true);
    const written = [...this.entries.values()].filter((e) => e.offset >= 0);
    const offsets = await rewriteFile(this.path, written);
    await this.closeHandle().catch(() => undefined); // it points at the old file
    // From what was copied, not from the live counts: a key forgotten meanwhile is in the new file, dead.
    written.forEach((entry, i) => (entry.offset = offsets[i] ?? 0));
    this.fileBytes = written.reduce((sum, entry) => sum + entry.bytes, 0);
    this.linesInFile = written.length;
    this.isDamaged = false;
  }
}
