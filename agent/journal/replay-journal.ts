import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LogFn } from '../log.js';
import { replayedError, type ReplayStore } from '../verify/check-replay.js';
import { writeFileAtomic } from './atomic-write.js';

export const REPLAY_JOURNAL_FILE = 'replay.jsonl';

const LineSchema = z.strictObject({ id: z.string().min(1).max(64), until: z.number().int() });

/** Compact the file once it holds this many more lines than live entries. */
const COMPACT_SLACK_LINES = 1000;

/**
 * Action ids this agent accepted, each kept until its expireAfter plus the clock skew (after
 * that the validity window refuses the action anyway). A JSON-lines file: one append per
 * accepted action (appendFileSync, so a killed process loses nothing already recorded),
 * compacted at open and whenever dead lines pile up.
 */
export class ReplayJournal implements ReplayStore {
  private readonly live = new Map<string, number>();
  private linesInFile = 0;

  private constructor(
    private readonly path: string,
    private readonly now: () => Date,
  ) {}

  static open(dataDir: string, opts: { now?: () => Date; log?: LogFn } = {}): ReplayJournal {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const journal = new ReplayJournal(join(dataDir, REPLAY_JOURNAL_FILE), opts.now ?? (() => new Date()));
    journal.load(opts.log);
    journal.compact();
    return journal;
  }

  get size(): number {
    return this.live.size;
  }

  has(actionId: string): boolean {
    const until = this.live.get(actionId);
    return until !== undefined && until >= this.now().getTime();
  }

  horizonOf(actionId: string): Date | undefined {
    const until = this.live.get(actionId);
    return until !== undefined && until >= this.now().getTime() ? new Date(until) : undefined;
  }

  record(actionId: string, until: Date): void {
    if (this.has(actionId)) throw replayedError(actionId);
    this.live.set(actionId, until.getTime());
    appendFileSync(this.path, `${JSON.stringify({ id: actionId, until: until.getTime() })}\n`, { mode: 0o600 });
    this.linesInFile += 1;
    if (this.linesInFile > this.live.size + COMPACT_SLACK_LINES) this.compact();
  }

  private load(log: LogFn | undefined): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const entry = parseLine(line);
      if (entry === undefined) bad += 1;
      else this.live.set(entry.id, Math.max(entry.until, this.live.get(entry.id) ?? entry.until));
    }
    // A torn last line is the only expected damage (a kill during append); say so rather than fail.
    if (bad > 0) log?.('warn', `replay journal ${this.path}: skipped ${bad} unreadable line(s)`);
  }

  /** Drops expired ids and rewrites the file with the live ones. */
  private compact(): void {
    const nowMs = this.now().getTime();
    for (const [id, until] of this.live) if (until < nowMs) this.live.delete(id);
    const lines = [...this.live].map(([id, until]) => `${JSON.stringify({ id, until })}\n`);
    writeFileAtomic(this.path, lines.join(''));
    this.linesInFile = lines.length;
  }
}

function parseLine(line: string): z.infer<typeof LineSchema> | undefined {
  try {
    const parsed = LineSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
