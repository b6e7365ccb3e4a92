import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';

/** A log nobody appended to for this long gives its file descriptor back. */
const IDLE_CLOSE_MS = 5_000;

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * An append-only file of JSON lines: a write costs the size of the lines appended, whatever
 * the history. No fsync: a resolved append survives a crash of this process, not a power cut
 * (the OS writes back within seconds).
 *
 * Group commit: the file stays open, and every append made while a write is in flight joins
 * the next write, so a burst of N results costs a few writes instead of N open/write/close
 * rounds (the cost that dominated the server's CPU profile). Each caller still hears back only
 * once its own lines are in the file. One write at a time, so lines never interleave.
 */
export class NdjsonLog {
  private handle: FileHandle | undefined;
  private queued: string[] = [];
  private waiters: Waiter[] = [];
  private writing: Promise<void> | undefined;
  /** Bytes known to end on a complete line: a failed write is cut back to here. */
  private goodSize: number | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly path: string) {}

  /** Appends one line per value; resolves when the bytes are in the file. */
  append(values: readonly unknown[]): Promise<void> {
    let text = '';
    for (const v of values) text += `${JSON.stringify(v)}\n`;
    return this.appendText(text);
  }

  /** Appends lines already serialised (each ending with `\n`). */
  appendText(text: string): Promise<void> {
    if (text === '') return this.writing ?? Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.queued.push(text);
    this.writing ??= this.drain();
    return done;
  }

  /** Waits for queued lines, then closes the file (a later append opens it again). */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.writing;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async drain(): Promise<void> {
    clearTimeout(this.idleTimer);
    while (this.queued.length > 0) {
      const bytes = Buffer.from(this.queued.join(''));
      const waiters = this.waiters;
      this.queued = [];
      this.waiters = [];
      try {
        await this.write(bytes);
        for (const w of waiters) w.resolve();
      } catch (err) {
        await this.recover();
        for (const w of waiters) w.reject(err);
      }
    }
    this.writing = undefined;
    this.idleTimer = setTimeout(() => void this.closeIfIdle(), IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }

  private async write(bytes: Buffer): Promise<void> {
    if (this.handle === undefined) {
      this.handle = await open(this.path, 'a');
      this.goodSize = (await this.handle.stat()).size;
    }
    let offset = 0;
    // A regular file takes it all at once in practice; the loop covers a short write.
    while (offset < bytes.length) offset += (await this.handle.write(bytes, offset)).bytesWritten;
    this.goodSize = (this.goodSize ?? 0) + bytes.length;
  }

  /** After a failed write: drop a partial line so the next append starts on a fresh one. */
  private async recover(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    try {
      if (handle !== undefined && this.goodSize !== undefined) await handle.truncate(this.goodSize);
    } catch {
      // readAll() cuts a partial last line at the next start; nothing better to do now.
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  private async closeIfIdle(): Promise<void> {
    if (this.writing !== undefined || this.handle === undefined) return;
    const handle = this.handle;
    this.handle = undefined;
    await handle.close().catch(() => undefined);
  }

  /**
   * Every complete line, parsed. A crash in the middle of an append leaves a partial last line:
   * it is cut off here so the next append starts on a fresh line; `onBadLine` hears about it
   * and about any line that is not JSON.
   */
  static async readAll(path: string, onBadLine: (lineNo: number, why: string) => void): Promise<unknown[]> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline !== text.length - 1) {
      onBadLine(text.slice(0, lastNewline + 1).split('\n').length, 'partial last line (interrupted write), dropped');
      await truncate(path, Buffer.byteLength(text.slice(0, lastNewline + 1)));
      text = text.slice(0, lastNewline + 1);
    }
    const values: unknown[] = [];
    text.split('\n').forEach((line, i) => {
      if (line === '') return;
      try {
        values.push(JSON.parse(line));
      } catch (err) {
        onBadLine(i + 1, (err as Error).message);
      }
    });
    return values;
  }
}
