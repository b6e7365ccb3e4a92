import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { readFile, truncate } from 'node:fs/promises';

/** A log nobody appended to for this long gives its file descriptor back. */
const IDLE_CLOSE_MS = 5_000;

/**
 * An append-only file of JSON lines: a write costs the size of the lines appended, whatever
 * the history. No fsync: a resolved append survives a crash of this process, not a power cut
 * (the OS writes back within seconds).
 *
 * The file stays open and each append is one synchronous write() of all its lines. Measured
 * on this kind of machine, per small append: open + write + close through fs.promises ~226 µs
 * of CPU (what dominated the server's profile), one fs.promises write on an open handle ~53 µs
 * (a thread-pool round trip and a promise), one writeSync ~2-6 µs. An append to the page cache
 * does not wait for the disk; callers batch (a whole group of results is one append, see
 * wire/group-commit.ts), so the event loop is held for one short system call per group.
 * Synchronous also means lines of two appends can never interleave.
 */
export class NdjsonLog {
  private fd: number | undefined;
  /** Bytes known to end on a complete line: a failed write is cut back to here. */
  private goodSize = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly path: string) {}

  /** Appends one line per value; resolves when the bytes are in the file. */
  append(values: readonly unknown[]): Promise<void> {
    let text = '';
    for (const v of values) text += `${JSON.stringify(v)}\n`;
    return this.appendText(text);
  }

  /** Appends lines already serialised (each ending with `\n`); resolves when they are in the file. */
  appendText(text: string): Promise<void> {
    if (text === '') return Promise.resolve();
    try {
      this.write(Buffer.from(text));
      return Promise.resolve();
    } catch (err) {
      this.recover();
      return Promise.reject(err);
    }
  }

  /** Gives the file descriptor back (a later append opens the file again). */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.closeFd();
  }

  private write(bytes: Buffer): void {
    if (this.fd === undefined) {
      this.fd = openSync(this.path, 'a');
      this.goodSize = fstatSync(this.fd).size;
    }
    let offset = 0;
    // A regular file takes it all at once in practice; the loop covers a short write.
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
    this.goodSize += bytes.length;
    // One timer per open file, moved on by each append (refresh) rather than made anew.
    if (this.idleTimer === undefined) {
      this.idleTimer = setTimeout(() => this.closeFd(), IDLE_CLOSE_MS);
      this.idleTimer.unref();
    } else this.idleTimer.refresh();
  }

  /** After a failed write: drop a partial line so the next append starts on a fresh one. */
  private recover(): void {
    try {
      if (this.fd !== undefined) ftruncateSync(this.fd, this.goodSize);
    } catch {
      // readAll() cuts a partial last line at the next start; nothing better to do now.
    }
    this.closeFd();
  }

  private closeFd(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // Already gone: nothing was pending (writes are synchronous).
    }
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
