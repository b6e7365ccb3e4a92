import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { silentLog, type LogFn } from '../log.js';
import { replayedError, type ReplayStore } from '../verify/check-replay.js';
import { KeyedJournal } from './keyed-journal.js';

export const REPLAY_JOURNAL_FILE = 'replay.jsonl';

const LineSchema = z.strictObject({ id: z.string().min(1).max(64), until: z.number().int() });

/**
 * Action ids this agent accepted, each kept until its expireAfter plus the clock skew (after
 * that the validity window refuses the action anyway). One line per accepted action
 * (`{"id","until"}`, the format older agents wrote), on the keyed journal: the id counts at once
 * in memory, and record() resolves once its line is in the file, which the command path awaits
 * before running anything. No caps: an id dropped early could be replayed.
 */
export class ReplayJournal implements ReplayStore {
  private constructor(private readonly journal: KeyedJournal<undefined>) {}

  static async open(dataDir: string, opts: { now?: () => Date; log?: LogFn } = {}): Promise<ReplayJournal> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const journal = await KeyedJournal.open({
      path: join(dataDir, REPLAY_JOURNAL_FILE),
      decode: (value) => {
        const parsed = LineSchema.safeParse(value);
        return parsed.success ? { key: parsed.data.id, until: parsed.data.until, meta: undefined } : undefined;
      },
      now: opts.now ?? (() => new Date()),
      log: opts.log ?? silentLog,
      what: 'replay journal',
    });
    return new ReplayJournal(journal);
  }

  get size(): number {
    return this.journal.size;
  }

  has(actionId: string): boolean {
    return this.journal.get(actionId) !== undefined;
  }

  horizonOf(actionId: string): Date | undefined {
    const entry = this.journal.get(actionId);
    return entry === undefined ? undefined : new Date(entry.until);
  }

  /**
   * Check and record are one step, before the first await: of two copies verified at once, the
   * second is refused REPLAYED even while the first one's line is still being written.
   */
  async record(actionId: string, until: Date): Promise<void> {
    if (this.has(actionId)) throw replayedError(actionId);
    await this.journal.put(actionId, until.getTime(), undefined, { id: actionId, until: until.getTime() });
  }

  /** Resolves once every id recorded so far is in the file. */
  flushed(): Promise<void> {
    return this.journal.flushed();
  }

  /** Waits for the writes asked for so far, then lets go of the file. */
  close(): Promise<void> {
    return this.journal.close();
  }
}
