import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const RESPONSE_JOURNAL_FILE = 'response-journal.ndjson';

/**
 * What response modules (firewall, process, account, agentdestroy) changed on this endpoint, and
 * what their dry runs would have changed: one JSON line per entry, appended and never rewritten,
 * so the host keeps its own record of who had it changed (action, signers) even if the server's
 * copy is lost. appendFileSync: an entry is on disk before the module goes on.
 */
export class ResponseJournal {
  private constructor(readonly path: string) {}

  static open(dataDir: string): ResponseJournal {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    return new ResponseJournal(join(dataDir, RESPONSE_JOURNAL_FILE));
  }

  append(entry: Record<string, unknown>): void {
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }
}
