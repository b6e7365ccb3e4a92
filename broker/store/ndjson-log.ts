import { open, readFile, truncate } from 'node:fs/promises';

/**
 * An append-only file of JSON lines: a write costs the size of the lines appended, whatever
 * the history. Appends to one file are serialised so lines never interleave. No fsync: a
 * resolved append survives a crash of this process, not a power cut (the OS writes back
 * within seconds).
 */
export class NdjsonLog {
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Appends one line per value; resolves when the bytes are in the file. */
  append(values: readonly unknown[]): Promise<void> {
    if (values.length === 0) return this.tail;
    const text = values.map((v) => `${JSON.stringify(v)}\n`).join('');
    const next = this.tail.then(async () => {
      const handle = await open(this.path, 'a');
      try {
        await handle.write(text);
      } finally {
        await handle.close();
      }
    });
    this.tail = next.catch(() => undefined);
    return next;
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
