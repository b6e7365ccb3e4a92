import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ActionIdSchema } from '../../protocol/action.js';
import {
  CommandIdSchema,
  MAX_MESSAGE_BYTES,
  ResultMessageSchema,
  type ResultMessage,
} from '../../protocol/messages.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { silentLog, type LogFn } from '../log.js';
import { KeyedJournal, LineTooLargeError, type KeyedLine } from './keyed-journal.js';

export const ANSWER_JOURNAL_FILE = 'answers.ndjson';

export interface AnswerLimits {
  /** Most answers kept; past it the oldest are dropped. */
  maxEntries: number;
  /** Most bytes of kept answers (live lines of the file); past it the oldest are dropped. */
  maxBytes: number;
  /** A larger answer (one line) is not kept: its command, sent again, is refused REPLAYED. */
  maxAnswerBytes: number;
}

export const DEFAULT_ANSWER_LIMITS: AnswerLimits = {
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
  // Anything the server would take (results are fitted under MAX_MESSAGE_BYTES), plus the line's own fields.
  maxAnswerBytes: MAX_MESSAGE_BYTES + 1024,
};

/** Checked for every line at open; the result itself is checked in full only when read back. */
const HeaderSchema = z.object({
  commandId: CommandIdSchema,
  actionId: ActionIdSchema,
  until: z.number().int(),
  result: z.object({ commandId: CommandIdSchema, actionId: ActionIdSchema }),
});
const LineSchema = z.strictObject({
  commandId: CommandIdSchema,
  actionId: ActionIdSchema,
  until: z.number().int(),
  result: ResultMessageSchema,
});

/**
 * Results this agent published for commands it accepted, kept until the action's expireAfter
 * plus the clock skew, so a command the server sends again after losing our answer (it stored
 * nothing before it died) gets the same answer rather than REPLAYED. One JSON line per answer
 * on the keyed journal (appended: no rename per command, which cost ~1 ms of blocked event loop
 * on ext4); in memory only each answer's action id, so results are read back from disk, rarely.
 */
export class AnswerJournal {
  private constructor(
    private readonly journal: KeyedJournal<string>,
    private readonly now: () => Date,
    private readonly log: LogFn,
  ) {}

  static async open(
    dataDir: string,
    opts: { now?: () => Date; log?: LogFn; limits?: Partial<AnswerLimits> } = {},
  ): Promise<AnswerJournal> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const limits = { ...DEFAULT_ANSWER_LIMITS, ...opts.limits };
    const log = opts.log ?? silentLog;
    const now = opts.now ?? (() => new Date());
    const journal = await KeyedJournal.open({
      path: join(dataDir, ANSWER_JOURNAL_FILE),
      decode: decodeHeader,
      now,
      log,
      what: 'answer journal',
      limits: { maxEntries: limits.maxEntries, maxBytes: limits.maxBytes, maxLineBytes: limits.maxAnswerBytes },
    });
    return new AnswerJournal(journal, now, log);
  }

  get path(): string {
    return this.journal.path;
  }

  get size(): number {
    return this.journal.size;
  }

  /** The action whose answer is kept for this command; undefined if none is (or it expired). */
  actionIdOf(commandId: string): string | undefined {
    return this.journal.get(commandId)?.meta;
  }

  /**
   * Keeps `result` (it must name its action) until `until`, replacing any earlier answer to the
   * same command; resolves once it is in the file. Never rejects: an answer not kept (too large,
   * no action id, disk trouble) is logged, false, and the command is then refused REPLAYED if it
   * comes again, as before.
   */
  async keep(result: ResultMessage, until: Date): Promise<boolean> {
    const { commandId, actionId } = result;
    if (actionId === undefined || until.getTime() < this.now().getTime()) {
      this.journal.forget(commandId);
      return false;
    }
    const line = { commandId, actionId, until: until.getTime(), result };
    try {
      await this.journal.put(commandId, until.getTime(), actionId, line);
      return true;
    } catch (err) {
      if (err instanceof LineTooLargeError) {
        this.log(
          'info',
          `command ${commandId}: answer of ${err.bytes} bytes not kept (limit ${err.limit}); sent again, it is refused REPLAYED`,
        );
      } else this.log('warn', `command ${commandId}: answer not kept in ${this.path}: ${(err as Error).message}`);
      return false;
    }
  }

  /** The kept answer, read back and checked; undefined (and forgotten) if it is missing or damaged. */
  async read(commandId: string): Promise<ResultMessage | undefined> {
    const actionId = this.actionIdOf(commandId);
    if (actionId === undefined) return undefined;
    try {
      const parsed = LineSchema.safeParse(await this.journal.read(commandId));
      if (!parsed.success) throw new Error(describeIssues(parsed.error));
      const { data } = parsed;
      if (data.commandId !== commandId || data.result.commandId !== commandId || data.result.actionId !== actionId) {
        throw new Error('the line holds another command');
      }
      return data.result;
    } catch (err) {
      this.log(
        'warn',
        `answer journal ${this.path}: the answer to command ${commandId} is unreadable (${(err as Error).message}); forgetting it`,
      );
      this.journal.forget(commandId);
      return undefined;
    }
  }

  /** Waits for the writes asked for so far, then lets go of the file. */
  close(): Promise<void> {
    return this.journal.close();
  }
}

function decodeHeader(value: unknown): KeyedLine<string> | undefined {
  const parsed = HeaderSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { data } = parsed;
  const isConsistent = data.result.commandId === data.commandId && data.result.actionId === data.actionId;
  return isConsistent ? { key: data.commandId, until: data.until, meta: data.actionId } : undefined;
}
