import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How much of the queue one pending() reads at first. */
const READ_WINDOW_BYTES = 1024 * 1024;

/** Complete lines of `data` (read at file position `start`), at most `max`, with the file position each ends at. */
function linesOf(data: Buffer, start: number, max: number): { line: string; end: number }[] {
  const out: { line: string; end: number }[] = [];
  let at = 0;
  while (out.length < max) {
    const nl = data.indexOf(0x0a, at);
    if (nl === -1) break;
    const line = data.subarray(at, nl).toString('utf8');
    at = nl + 1;
    if (line.trim() !== '') out.push({ line, end: start + at });
  }
  return out;
}

/** Rewrite the queue file once this many delivered bytes sit before the read offset. */
const COMPACT_BYTES = 1024 * 1024;

/**
 * One sink's queue on disk: events are appended as JSON lines before any delivery is tried,
 * and `offset` (a file next to it) moves past a line only once the sink took it. A sink that
 * is down, or a runner that is killed, loses nothing: at the next start delivery resumes at the
 * offset. Delivery is at least once (a kill between delivery and the offset write repeats one
 * event), so each event carries a unique `event.id`.
 */
export class DiskQueue {
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly offsetPath: string,
  ) {}

  static async open(dir: string): Promise<DiskQueue> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new DiskQueue(join(dir, 'queue.ndjson'), join(dir, 'offset'));
  }

  /** Appends events (serialised with other appends and compactions). */
  push(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return this.serial(async () => {
      const handle = await open(this.path, 'a', 0o600);
      try {
        await handle.write(lines.map((l) => `${l}\n`).join(''));
      } finally {
        await handle.close();
      }
    });
  }

  /**
   * Lines not yet delivered, from the offset, with where each ends (for ack), at most `max`.
   * Reads only from the offset on, a bounded window at a time (not the whole file per batch),
   * widened when a single line is longer than the window.
   */
  async pending(max: number): Promise<{ line: string; end: number }[]> {
    const offset = await this.offset();
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const size = (await handle.stat()).size;
      for (let window = READ_WINDOW_BYTES; ; window *= 2) {
        const length = Math.min(window, Math.max(0, size - offset));
        const data = Buffer.alloc(length);
        const { bytesRead } = await handle.read(data, 0, length, offset);
        const out = linesOf(data.subarray(0, bytesRead), offset, max);
        // A torn last line is not ours to deliver until it is whole; a line longer than the
        // window needs a wider one, unless the window already reaches the end of the file.
        if (out.length > 0 || offset + bytesRead >= size) return out;
      }
    } finally {
      await handle.close();
    }
  }

  /** Marks everything before `end` delivered; compacts the file when enough is behind us. */
  ack(end: number): Promise<void> {
    return this.serial(async () => {
      await this.writeOffset(end);
      if (end < COMPACT_BYTES) return;
      const data = await readFile(this.path);
      const tmp = `${this.path}.tmp`;
      await writeFile(tmp, data.subarray(end), { mode: 0o600 });
      // Offset first to 0 would lose the tail on a crash between the two; renaming first and
      // then zeroing could re-deliver the tail once: at least once, as promised.
      await rename(tmp, this.path);
      await this.writeOffset(0);
    });
  }

  /** Bytes waiting: the file size past the offset. */
  async backlogBytes(): Promise<number> {
    try {
      return (await stat(this.path)).size - (await this.offset());
    } catch {
      return 0;
    }
  }

  private async offset(): Promise<number> {
    try {
      const n = Number((await readFile(this.offsetPath, 'utf8')).trim());
      return Number.isSafeInteger(n) && n >= 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  private async writeOffset(n: number): Promise<void> {
    const tmp = `${this.offsetPath}.tmp`;
    await writeFile(tmp, String(n), { mode: 0o600 });
    await rename(tmp, this.offsetPath);
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
