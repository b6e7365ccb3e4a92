import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CommandIdSchema } from '../../protocol/messages.js';
import { silentLog, type LogFn } from '../log.js';
import { replayedError, type ReplayStore, type RunningMark } from '../verify/check-replay.js';
import { KeyedJournal } from './keyed-journal.js';
import type { RunningEntry } from './running-journal.js';

export const REPLAY_JOURNAL_FILE = 'replay.jsonl';

/**
 * `{"id","until"}`: accepted (the format older agents wrote). With `commandId` and `receivedAt`:
 * accepted and running as that command, not answered yet.
 */
const LineSchema = z.strictObject({
  id: z.string().min(1).max(64),
  until: z.number().int(),
  commandId: CommandIdSchema.optional(),
  receivedAt: z.iso.datetime({ offset: true }).optional(),
});
type Line = z.infer<typeof LineSchema>;

/** A running line stays however old it gets: only its answer ends it (as in the running journal). */
const FOREVER = Number.MAX_SAFE_INTEGER;

interface Meta {
  /** Until when the id counts against replays: its action's expireAfter plus the clock skew. */
  horizon: number;
  running?: RunningMark;
}

/**
 * Action ids this agent accepted, each kept until its expireAfter plus the clock skew (after
 * that the validity window refuses the action anyway), on the keyed journal: the id counts at
 * once in memory, and record() resolves once its line is in the file, which the command path
 * awaits before running anything. No caps: an id dropped early could be replayed.
 *
 * The same line also says the command is running (record() with `running`): one append where
 * the replay and running journals took two, and no window between them in which a crash would
 * leave an accepted id with no command to report. finish() appends the plain `{"id","until"}`
 * once the command is answered; a line still running at open is a leftover, reported as failed
 * AGENT_RESTARTED (or with its kept answer), never run again: its id is in this journal. finish()'s
 * line is written lazily (see there): the one append on a command's path is record()'s.
 */
export class ReplayJournal implements ReplayStore {
  /** Running commands, command id to action id. */
  private readonly runningIds = new Map<string, string>();
  private readonly left: RunningEntry[];

  private constructor(
    private readonly journal: KeyedJournal<Meta>,
    private readonly now: () => Date,
  ) {
    for (const { key, meta } of journal.live())
      if (meta.running !== undefined) this.runningIds.set(meta.running.commandId, key);
    this.left = [...journal.live()].flatMap(({ key, meta }) =>
      meta.running === undefined
        ? []
        : [{ commandId: meta.running.commandId, actionId: key, receivedAt: meta.running.receivedAt }],
    );
  }

  static async open(dataDir: string, opts: { now?: () => Date; log?: LogFn } = {}): Promise<ReplayJournal> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const now = opts.now ?? ((): Date => new Date());
    const journal = await KeyedJournal.open<Meta>({
      path: join(dataDir, REPLAY_JOURNAL_FILE),
      decode: decodeLine,
      now,
      log: opts.log ?? silentLog,
      what: 'replay journal',
    });
    return new ReplayJournal(journal, now);
  }

  get size(): number {
    return this.journal.size;
  }

  has(actionId: string): boolean {
    return this.horizonOf(actionId) !== undefined;
  }

  horizonOf(actionId: string): Date | undefined {
    const entry = this.journal.get(actionId);
    if (entry === undefined) return undefined;
    // A running line outlives its horizon in the file (FOREVER), not against replays: past its
    // horizon the validity window refuses the action anyway.
    return entry.meta.horizon >= this.now().getTime() ? new Date(entry.meta.horizon) : undefined;
  }

  /**
   * Check and record are one step, before the first await: of two copies verified at once, the
   * second is refused REPLAYED even while the first one's line is still being written. With
   * `running`, the line also says this command is running (see the class comment).
   */
  async record(actionId: string, until: Date, running?: RunningMark): Promise<void> {
    if (this.has(actionId)) throw replayedError(actionId);
    const horizon = until.getTime();
    const line: Line = { id: actionId, until: horizon };
    if (running === undefined) return this.journal.put(actionId, horizon, { horizon }, line);
    const mark = { commandId: CommandIdSchema.parse(running.commandId), receivedAt: running.receivedAt };
    this.runningIds.set(mark.commandId, actionId);
    try {
      await this.journal.put(actionId, FOREVER, { horizon, running: mark }, { ...line, ...mark });
    } catch (err) {
      if (this.runningIds.get(mark.commandId) === actionId) this.runningIds.delete(mark.commandId);
      throw err;
    }
  }

  /** Whether record() marked this command running and finish() has not ended it. */
  isRunning(commandId: string): boolean {
    return this.runningIds.has(commandId);
  }

  /**
   * The command is answered: its line goes back to `{"id","until"}`, still refusing replays until
   * its horizon (past it, that line is already a tombstone). Memory changes now; the line goes
   * out with this file's next write (the next command's line, in a burst) or within
   * write-queue.ts's LATER_MS, and nobody waits for it: a crash before it is written leaves the
   * command running in the file, so the next start publishes its kept answer once more (the
   * server keeps the first result it got and drops the copy), and never runs it again: the id
   * counts against replays either way.
   */
  finish(commandId: string): void {
    const actionId = this.runningIds.get(commandId);
    if (actionId === undefined) return;
    this.runningIds.delete(commandId);
    const entry = this.journal.get(actionId);
    const horizon = entry?.meta.horizon ?? 0;
    const line: Line = { id: actionId, until: horizon };
    if (horizon >= this.now().getTime()) this.journal.putLater(actionId, horizon, { horizon }, line);
    else this.journal.removeLater(actionId, line);
  }

  /** Commands a previous process left running, as found at open. */
  leftovers(): RunningEntry[] {
    return [...this.left];
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

function decodeLine(value: unknown): { key: string; until: number; meta: Meta } | undefined {
  const parsed = LineSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { id, until, commandId, receivedAt } = parsed.data;
  if (commandId !== undefined && receivedAt !== undefined)
    return { key: id, until: FOREVER, meta: { horizon: until, running: { commandId, receivedAt } } };
  // Half a running mark is not ours to report, but its id still counts against replays.
  return { key: id, until, meta: { horizon: until } };
}
