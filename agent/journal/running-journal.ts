import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ActionIdSchema } from '../../protocol/action.js';
import { CommandIdSchema } from '../../protocol/messages.js';
import type { LogFn } from '../log.js';
import { writeFileAtomic } from './atomic-write.js';

export const RUNNING_DIR = 'running';

const EntrySchema = z.strictObject({
  commandId: CommandIdSchema,
  actionId: ActionIdSchema.optional(),
  receivedAt: z.iso.datetime({ offset: true }),
});
export type RunningEntry = z.infer<typeof EntrySchema>;

/**
 * Commands received and not yet answered, one small file each (`running/<commandId>.json`).
 * Written before a command runs and removed once its result is acknowledged by the broker, so
 * after a crash every command left here is reported as failed with AGENT_RESTARTED: never
 * silently dropped, never re-run.
 */
export class RunningJournal {
  private constructor(private readonly dir: string) {}

  static open(dataDir: string): RunningJournal {
    const dir = join(dataDir, RUNNING_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new RunningJournal(dir);
  }

  /** Records (or updates, e.g. once the action id is known) a command being handled. */
  begin(entry: RunningEntry): void {
    writeFileAtomic(this.fileOf(entry.commandId), JSON.stringify(EntrySchema.parse(entry)));
  }

  end(commandId: string): void {
    try {
      unlinkSync(this.fileOf(commandId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Entries left by a previous process. A damaged file still yields its command id (the file name). */
  leftovers(log?: LogFn): RunningEntry[] {
    const entries: RunningEntry[] = [];
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith('.tmp')) {
        unlinkSync(join(this.dir, name)); // a write the previous process did not finish
        continue;
      }
      const commandId = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
      if (!CommandIdSchema.safeParse(commandId).success) continue; // temp files and strangers
      const entry = readEntry(join(this.dir, name));
      if (entry === undefined)
        log?.('warn', `running journal: ${name} is unreadable; reporting command ${commandId} anyway`);
      entries.push(entry ?? { commandId, receivedAt: new Date(0).toISOString() });
    }
    return entries;
  }

  private fileOf(commandId: string): string {
    // The id names a file: only a validated hex id may get here (no '../').
    return join(this.dir, `${CommandIdSchema.parse(commandId)}.json`);
  }
}

function readEntry(path: string): RunningEntry | undefined {
  try {
    const parsed = EntrySchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
