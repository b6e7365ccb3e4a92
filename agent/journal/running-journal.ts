import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ActionIdSchema } from '../../protocol/action.js';
import { CommandIdSchema } from '../../protocol/messages.js';
import { silentLog, type LogFn } from '../log.js';
import { KeyedJournal } from './keyed-journal.js';

export const RUNNING_JOURNAL_FILE = 'running.jsonl';
/** Where agents before the keyed journal kept one file per command; read once, then removed. */
export const LEGACY_RUNNING_DIR = 'running';

const EntrySchema = z.strictObject({
  commandId: CommandIdSchema,
  actionId: ActionIdSchema.optional(),
  receivedAt: z.iso.datetime({ offset: true }),
});
export type RunningEntry = z.infer<typeof EntrySchema>;
/** The line end() appends: the command is answered. */
const EndedSchema = z.strictObject({ commandId: CommandIdSchema, ended: z.literal(true) });

/** Running entries never expire: only an answer the broker took ends them. */
const FOREVER = Number.MAX_SAFE_INTEGER;

/** What the running journal needs of the replay journal, which now carries the running mark. */
export interface RunningInReplay {
  isRunning(commandId: string): boolean;
  /** Ends the mark in memory now; its line follows with the journal's next write (replay-journal.ts). */
  finish(commandId: string): void;
  leftovers(): RunningEntry[];
}

/**
 * Commands accepted and not yet answered. The command path marks them in the replay journal's
 * line (replay-journal.ts: one append for both); this file, `running.jsonl`, is where agents
 * before that kept them (begin(): an entry, end(): a tombstone), and the running/ directory
 * before that. It reads both and answers for all: leftovers() is every command a previous
 * process left unanswered, in either place, reported as failed with AGENT_RESTARTED (or its
 * kept answer): never silently dropped, never re-run; end() ends one wherever it is.
 */
export class RunningJournal {
  private constructor(
    private readonly journal: KeyedJournal<RunningEntry>,
    private readonly left: RunningEntry[],
    private readonly replay: RunningInReplay | undefined,
  ) {}

  static async open(dataDir: string, opts: { log?: LogFn; replay?: RunningInReplay } = {}): Promise<RunningJournal> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const log = opts.log ?? silentLog;
    const journal = await KeyedJournal.open<RunningEntry>({
      path: join(dataDir, RUNNING_JOURNAL_FILE),
      decode: decodeLine,
      now: () => new Date(),
      log,
      what: 'running journal',
    });
    await importLegacy(journal, join(dataDir, LEGACY_RUNNING_DIR), log);
    const left = [...journal.live()].map((line) => line.meta);
    const inReplay = (opts.replay?.leftovers() ?? []).filter((e) => journal.get(e.commandId) === undefined);
    return new RunningJournal(journal, [...left, ...inReplay], opts.replay);
  }

  /** Records (or updates) a command being handled, in this file's format; resolves once it is in the file. */
  begin(entry: RunningEntry): Promise<void> {
    const checked = EntrySchema.parse(entry);
    return this.journal.put(checked.commandId, FOREVER, checked, checked);
  }

  /**
   * The command is answered; resolves once that is in this file (a command marked in the replay
   * journal: at once, its line follows lazily there). Ending an unknown command is harmless.
   */
  end(commandId: string): Promise<void> {
    const ended: z.infer<typeof EndedSchema> = { commandId: CommandIdSchema.parse(commandId), ended: true };
    if (this.replay?.isRunning(commandId) === true) this.replay.finish(commandId);
    return this.journal.get(commandId) === undefined ? Promise.resolve() : this.journal.remove(commandId, ended);
  }

  /** Entries a previous process left, here or in the replay journal, as found at open. */
  leftovers(): RunningEntry[] {
    return [...this.left];
  }

  close(): Promise<void> {
    return this.journal.close();
  }
}

function decodeLine(value: unknown): { key: string; until: number; meta: RunningEntry } | undefined {
  const entry = EntrySchema.safeParse(value);
  if (entry.success) return { key: entry.data.commandId, until: FOREVER, meta: entry.data };
  const ended = EndedSchema.safeParse(value);
  // Already past: it replaces the entry it ends, and both go at the next rewrite.
  if (ended.success)
    return {
      key: ended.data.commandId,
      until: 0,
      meta: { commandId: ended.data.commandId, receivedAt: new Date(0).toISOString() },
    };
  return undefined;
}

/**
 * Moves what an older agent left in `running/<commandId>.json` into the journal, then removes the
 * directory. A damaged file still yields its command id (the file name); temp files and
 * strangers are dropped with it.
 */
async function importLegacy(journal: KeyedJournal<RunningEntry>, dir: string, log: LogFn): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const name of names) {
    const commandId = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
    if (!CommandIdSchema.safeParse(commandId).success) continue;
    const entry = await readLegacyEntry(join(dir, name));
    if (entry === undefined)
      log('warn', `running journal: ${name} is unreadable; reporting command ${commandId} anyway`);
    const found = entry?.commandId === commandId ? entry : { commandId, receivedAt: new Date(0).toISOString() };
    await journal.put(commandId, FOREVER, found, found);
  }
  await rm(dir, { recursive: true, force: true });
}

async function readLegacyEntry(path: string): Promise<RunningEntry | undefined> {
  try {
    const parsed = EntrySchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
