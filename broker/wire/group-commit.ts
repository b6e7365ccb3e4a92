interface Entry<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * What the server's links wait for company while results stream in (group-commit.ts): a
 * 1,000-agent fan-out round made 32-51 groups instead of 102-406; an answer is acknowledged
 * at most this much later.
 */
export const GATHER_MS = 10;

export interface GroupCommitOptions {
  /**
   * While items keep coming (a commit ended less than this long ago), a new group waits this
   * long for company before it commits; at a quiet moment an item commits at once. 0: never wait.
   */
  gatherMs?: number;
}

/**
 * Group commit, as databases do it: items that arrive while a commit is running wait for the
 * next one, which takes them all at once. An item arriving at a quiet moment is committed at
 * once (at the end of the current tick, so a socket read that carried many packets still makes
 * one group), and under load the groups grow by themselves. Each item's promise settles when
 * the commit that held it has.
 *
 * Commits of one small group are quick, though: results trickling in one per millisecond (1,000
 * agents verifying on a few cores) made ~400 groups of 2-3 per fan-out round, and each group
 * pays a store append, an action update and an event. So, like PostgreSQL's commit_delay, a
 * group that starts while items are streaming in waits `gatherMs` first: a few times fewer
 * groups, for at most `gatherMs` more before an item is acknowledged.
 */
export class GroupCommit<T> {
  private waiting: Entry<T>[] = [];
  private running: Promise<void> | undefined;
  private committing = 0;
  private lastCommitEndMs = Number.NEGATIVE_INFINITY;
  private readonly gatherMs: number;

  /** @param commit handles a whole group; it must not be re-entered (we never call it twice at once). */
  constructor(
    private readonly commit: (items: T[]) => Promise<void>,
    opts: GroupCommitOptions = {},
  ) {
    this.gatherMs = opts.gatherMs ?? 0;
  }

  add(item: T): Promise<void> {
    const settled = new Promise<void>((resolve, reject) => this.waiting.push({ item, resolve, reject }));
    this.running ??= this.run();
    return settled;
  }

  /** Items added and not yet committed or being committed. */
  get backlog(): number {
    return this.waiting.length;
  }

  /** Items added and not yet settled: the backlog plus the group being committed. */
  get pending(): number {
    return this.waiting.length + this.committing;
  }

  /** Resolves when every item added so far has been committed (or failed). */
  async drain(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private async run(): Promise<void> {
    const isStreaming = performance.now() - this.lastCommitEndMs < this.gatherMs;
    // Let the rest of this tick's packets join the first group (and, when busy, a few ms more).
    if (isStreaming) await new Promise<void>((resolve) => setTimeout(resolve, this.gatherMs));
    else await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.waiting.length > 0) {
      const group = this.waiting;
      this.waiting = [];
      this.committing = group.length;
      try {
        await this.commit(group.map((e) => e.item));
        for (const e of group) e.resolve();
      } catch (err) {
        for (const e of group) e.reject(err);
      } finally {
        this.committing = 0;
        this.lastCommitEndMs = performance.now();
      }
    }
    this.running = undefined;
  }
}
