interface Entry<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit, as databases do it: items that arrive while a commit is running wait for the
 * next one, which takes them all at once. There is no timer: an item arriving at a quiet
 * moment is committed at once (at the end of the current tick, so a socket read that carried
 * many packets still makes one group), and under load the groups grow by themselves. Each
 * item's promise settles when the commit that held it has.
 */
export class GroupCommit<T> {
  private waiting: Entry<T>[] = [];
  private running: Promise<void> | undefined;
  private committing = 0;

  /** @param commit handles a whole group; it must not be re-entered (we never call it twice at once). */
  constructor(private readonly commit: (items: T[]) => Promise<void>) {}

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
    // Let the rest of this tick's packets join the first group.
    await new Promise<void>((resolve) => setImmediate(resolve));
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
      }
    }
    this.running = undefined;
  }
}
