import {
  appendFileSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
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

/** Dead bytes and lines tolerated before a rewrite, at least: small journals are not rewritten often. */
const MIN_WASTE_BYTES = 1024 * 1024;
const MIN_WASTE_LINES = 1000;

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

/** Where one kept answer lives: only this stays in memory, the result itself on disk. */
interface Entry {
  actionId: string;
  until: number;
  offset: number;
  bytes: number;
}

/**
 * Results this agent published for commands it accepted, kept until the action's expireAfter
 * plus the clock skew, so a command the server sends again after losing our answer (it stored
 * nothing before it died) gets the same answer rather than REPLAYED. One JSON line per answer,
 * appended (appendFileSync: no rename per command, which cost ~1 ms of blocked event loop on
 * ext4); in memory only each line's offset, so results are read back from disk, rarely. Later
 * lines win; dead lines (expired, replaced, dropped over the caps, torn) go at the next rewrite:
 * at open, and whenever they outweigh the live ones.
 */
export class AnswerJournal {
  private readonly entries = new Map<string, Entry>();
  private liveBytes = 0;
  private fileBytes = 0;
  private linesInFile = 0;

  private constructor(
    readonly path: string,
    private readonly now: () => Date,
    private readonly limits: AnswerLimits,
    private readonly log: LogFn,
  ) {}

  static open(
    dataDir: string,
    opts: { now?: () => Date; log?: LogFn; limits?: Partial<AnswerLimits> } = {},
  ): AnswerJournal {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const limits = { ...DEFAULT_ANSWER_LIMITS, ...opts.limits };
    const journal = new AnswerJournal(
      join(dataDir, ANSWER_JOURNAL_FILE),
      opts.now ?? (() => new Date()),
      limits,
      opts.log ?? silentLog,
    );
    journal.load();
    journal.dropExpired();
    journal.evict();
    // Before the first append: a torn last line must not swallow the next one.
    if (journal.fileBytes !== journal.liveBytes || journal.linesInFile !== journal.entries.size) journal.compact();
    return journal;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The action whose answer is kept for this command; undefined if none is (or it expired). */
  actionIdOf(commandId: string): string | undefined {
    const entry = this.entries.get(commandId);
    return entry !== undefined && entry.until >= this.now().getTime() ? entry.actionId : undefined;
  }

  /**
   * Keeps `result` (it must name its action) until `until`, replacing any earlier answer to the
   * same command. Never throws: an answer not kept (too large, no action id, disk trouble) is
   * logged and the command is then refused REPLAYED if it comes again, as before.
   */
  keep(result: ResultMessage, until: Date): boolean {
    const { commandId, actionId } = result;
    this.forget(commandId);
    if (actionId === undefined || until.getTime() < this.now().getTime()) return false;
    const line = Buffer.from(`${JSON.stringify({ commandId, actionId, until: until.getTime(), result })}\n`);
    if (line.length > this.limits.maxAnswerBytes) {
      this.log(
        'info',
        `command ${commandId}: answer of ${line.length} bytes not kept (limit ${this.limits.maxAnswerBytes}); sent again, it is refused REPLAYED`,
      );
      return false;
    }
    try {
      appendFileSync(this.path, line, { mode: 0o600 });
    } catch (err) {
      this.log('warn', `command ${commandId}: answer not kept in ${this.path}: ${(err as Error).message}`);
      this.fileBytes = sizeOf(this.path) ?? this.fileBytes; // a partial line is dead weight, not an offset shift
      return false;
    }
    this.entries.set(commandId, { actionId, until: until.getTime(), offset: this.fileBytes, bytes: line.length });
    this.fileBytes += line.length;
    this.liveBytes += line.length;
    this.linesInFile += 1;
    this.evict();
    if (this.isWasteful()) this.compactOrLog();
    return true;
  }

  /** The kept answer, read back and checked; undefined (and forgotten) if it is missing or damaged. */
  read(commandId: string): ResultMessage | undefined {
    const entry = this.entries.get(commandId);
    if (entry === undefined || entry.until < this.now().getTime()) return undefined;
    try {
      const parsed = LineSchema.safeParse(JSON.parse(this.lineOf(entry).toString('utf8')));
      if (!parsed.success) throw new Error(describeIssues(parsed.error));
      const { data } = parsed;
      if (
        data.commandId !== commandId ||
        data.result.commandId !== commandId ||
        data.result.actionId !== entry.actionId
      ) {
        throw new Error('the line holds another command');
      }
      return data.result;
    } catch (err) {
      this.log(
        'warn',
        `answer journal ${this.path}: the answer to command ${commandId} is unreadable (${(err as Error).message}); forgetting it`,
      );
      this.forget(commandId);
      return undefined;
    }
  }

  private load(): void {
    let data: Buffer;
    try {
      data = readFileSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let bad = 0;
    for (let offset = 0; offset < data.length;) {
      const end = data.indexOf(0x0a, offset);
      if (end === -1) {
        bad += 1; // a torn last line (a kill during append): the only expected damage
        break;
      }
      const header = parseHeader(data.subarray(offset, end));
      this.linesInFile += 1;
      if (header === undefined) bad += 1;
      else {
        this.forget(header.commandId);
        this.entries.set(header.commandId, {
          actionId: header.actionId,
          until: header.until,
          offset,
          bytes: end + 1 - offset,
        });
        this.liveBytes += end + 1 - offset;
      }
      offset = end + 1;
    }
    this.fileBytes = data.length;
    if (bad > 0) this.log('warn', `answer journal ${this.path}: skipped ${bad} unreadable line(s)`);
  }

  private forget(commandId: string): void {
    const entry = this.entries.get(commandId);
    if (entry === undefined) return;
    this.entries.delete(commandId);
    this.liveBytes -= entry.bytes;
  }

  private dropExpired(): void {
    const nowMs = this.now().getTime();
    for (const [commandId, entry] of this.entries) if (entry.until < nowMs) this.forget(commandId);
  }

  /** Drops the oldest answers while over the caps, and expired ones at the front (answers mostly expire in order). */
  private evict(): void {
    const nowMs = this.now().getTime();
    for (const [commandId, entry] of this.entries) {
      const isOver = this.entries.size > this.limits.maxEntries || this.liveBytes > this.limits.maxBytes;
      if (!isOver && entry.until >= nowMs) break;
      this.forget(commandId);
    }
  }

  /** More dead than live (past a floor): rewriting now costs at most what was appended since the last one. */
  private isWasteful(): boolean {
    const deadBytes = this.fileBytes - this.liveBytes;
    const deadLines = this.linesInFile - this.entries.size;
    return (
      deadBytes > Math.max(this.liveBytes, MIN_WASTE_BYTES) || deadLines > Math.max(this.entries.size, MIN_WASTE_LINES)
    );
  }

  private compactOrLog(): void {
    try {
      this.compact();
    } catch (err) {
      this.log('warn', `answer journal ${this.path}: not compacted: ${(err as Error).message}`);
    }
  }

  /**
   * Rewrites the file with the live answers, one at a time (memory stays at one answer), through
   * a temp file and a rename: a kill mid-way leaves the old file whole.
   */
  private compact(): void {
    this.dropExpired();
    const tmp = `${this.path}.${process.pid}.tmp`;
    const out = openSync(tmp, 'w', 0o600);
    let offsets: Map<Entry, number> | undefined;
    try {
      offsets = this.copyLive(out);
    } finally {
      closeSync(out);
      if (offsets === undefined) rmSync(tmp, { force: true });
    }
    renameSync(tmp, this.path);
    for (const [entry, offset] of offsets) entry.offset = offset;
    this.fileBytes = this.liveBytes;
    this.linesInFile = this.entries.size;
  }

  /** Copies every live line, oldest first, into `out`; returns where each one now starts. */
  private copyLive(out: number): Map<Entry, number> {
    const offsets = new Map<Entry, number>();
    if (this.entries.size === 0) return offsets;
    const input = openSync(this.path, 'r');
    try {
      let written = 0;
      for (const entry of this.entries.values()) {
        writeAll(out, readLine(input, entry));
        offsets.set(entry, written);
        written += entry.bytes;
      }
    } finally {
      closeSync(input);
    }
    return offsets;
  }

  private lineOf(entry: Entry): Buffer {
    const fd = openSync(this.path, 'r');
    try {
      return readLine(fd, entry);
    } finally {
      closeSync(fd);
    }
  }
}

function readLine(fd: number, entry: Entry): Buffer {
  const line = Buffer.allocUnsafe(entry.bytes);
  for (let got = 0; got < entry.bytes;) {
    const n = readSync(fd, line, got, entry.bytes - got, entry.offset + got);
    if (n === 0) throw new Error(`the file ends before byte ${entry.offset + entry.bytes}`);
    got += n;
  }
  return line;
}

function parseHeader(line: Buffer): z.infer<typeof HeaderSchema> | undefined {
  try {
    const parsed = HeaderSchema.safeParse(JSON.parse(line.toString('utf8')));
    if (!parsed.success) return undefined;
    const { data } = parsed;
    return data.result.commandId === data.commandId && data.result.actionId === data.actionId ? data : undefined;
  } catch {
    return undefined;
  }
}

function writeAll(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done);
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
