/**
 * Files sent to the reader threads whose rows are not out yet, at most: the walk goes on ahead
 * of the rows (several directories of a tree of small files) until this many are in flight,
 * instead of one directory. With one directory ahead, each reader waited for the next directory
 * between two of them: 20,000 small files took 411 ms against 329 ms with 800 files ahead, for
 * no more CPU (doc/performance.md, session 8). Bounded: files judged ahead are held in memory,
 * and a search that stops at its matchlimit meanwhile has had them hashed for nothing.
 */
export const POOLED_AHEAD_FILES = 1024;
/** Directories judged ahead of the rows, at most (those with nothing to read included). */
export const MAX_AHEAD_DIRECTORIES = 64;

/** What the policy needs of a directory judged ahead: its files to finish, and how many went to the reader threads. */
export interface AheadEntry {
  readonly judged: readonly unknown[];
  readonly pooled: number;
}

/**
 * How far the file module's walk runs ahead of its rows (run.ts). One directory, as long as the
 * newest one has files to read on the module's thread (content, large files, a name match's
 * row): that thread reads them when their turn comes, and walking further first would only
 * delay them. While every file of the newest directory went to the reader threads (or it had
 * none to read), the walk goes on, up to POOLED_AHEAD_FILES in flight and MAX_AHEAD_DIRECTORIES.
 */
export class Lookahead<T extends AheadEntry> {
  private readonly queue: T[] = [];
  private pooled = 0;

  constructor(
    private readonly maxPooled = POOLED_AHEAD_FILES,
    private readonly maxDirectories = MAX_AHEAD_DIRECTORIES,
  ) {}

  /** Adds the directory just judged; returns those to finish now, oldest first. */
  push(next: T): T[] {
    this.queue.push(next);
    this.pooled += next.pooled;
    const isAllPooled = next.judged.length === next.pooled;
    const due: T[] = [];
    while (
      this.queue.length > 1 &&
      (!isAllPooled || this.pooled > this.maxPooled || this.queue.length > this.maxDirectories)
    ) {
      const oldest = this.queue.shift() as T;
      this.pooled -= oldest.pooled;
      due.push(oldest);
    }
    return due;
  }

  /** Every directory still ahead, oldest first: the walk has ended. */
  drain(): T[] {
    this.pooled = 0;
    return this.queue.splice(0);
  }
}
