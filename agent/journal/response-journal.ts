import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLog, type LogFn } from '../log.js';

export const RESPONSE_JOURNAL_FILE = 'response-journal.ndjson';

/**
 * What response modules (firewall, process, account, agentdestroy) changed on this endpoint, and
 * what their dry runs would have changed: one JSON line per entry, appended and never rewritten,
 * so the host keeps its own record of who had it changed (action, signers) even if the server's
 * copy is lost. append() queues the line (in order, off the event loop); the command path awaits
 * flushed() before it answers, so every entry of a command is on disk before its result leaves.
 */
export class ResponseJournal {
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly log: LogFn,
  ) {}

  static async open(dataDir: string, opts: { log?: LogFn } = {}): Promise<ResponseJournal> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    return new ResponseJournal(join(dataDir, RESPONSE_JOURNAL_FILE), opts.log ?? silentLog);
  }

  /** Queues the entry; a failed write is logged (the change it records already happened). */
  append(entry: Record<string, unknown>): void {
    const line = `${JSON.stringify(entry)}\n`;
    this.queue = this.queue
      .then(() => appendFile(this.path, line, { mode: 0o600 }))
      .catch((err: unknown) =>
        this.log('error', `response journal ${this.path}: entry not written: ${(err as Error).message}`),
      );
  }

  /** Resolves once every entry appended so far is written (or its failure logged). */
  flushed(): Promise<void> {
    return this.queue;
  }
}
