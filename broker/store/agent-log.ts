import { open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../../protocol/zod-issues.js';
import { readIfExists } from '../read-if-exists.js';
import { NdjsonLog } from './ndjson-log.js';
import { StoredAgentSchema, type StoredAgent } from './store.js';

export const AGENT_LOG_FILE = 'agents.ndjson';
/** The whole-file format of earlier versions: read once, migrated, then renamed away. */
export const LEGACY_AGENTS_FILE = 'agents.json';
/** The log is compacted when it holds this many times more lines than live records. */
const COMPACT_FACTOR = 2;
/** ... and never below this many lines (a tiny registry is not worth rewriting). */
const COMPACT_MIN_LINES = 256;

const LegacyAgentsFileSchema = z.object({ agents: z.array(StoredAgentSchema) });

/**
 * The agent registry on disk: one JSON line per change (`agents.ndjson`), the last line of an
 * id wins. A change costs the size of that one record, whatever the fleet's size (the old
 * agents.json was rewritten whole on every change). Saves within the flush interval are
 * coalesced per id. The log is compacted (rewritten with only live records, tmp + rename) at
 * open and whenever it has grown to COMPACT_FACTOR times the live records.
 */
export class AgentLog {
  private readonly records = new Map<string, StoredAgent>();
  private readonly dirty = new Set<string>();
  private lines = 0;
  private timer: NodeJS.Timeout | undefined;
  private tail: Promise<void> = Promise.resolve();
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];

  private constructor(
    readonly path: string,
    private readonly flushMs: number,
    private readonly log: (msg: string) => void,
  ) {}

  static async open(dataDir: string, flushMs: number, log: (msg: string) => void): Promise<AgentLog> {
    const agentLog = new AgentLog(join(dataDir, AGENT_LOG_FILE), flushMs, log);
    const values = await NdjsonLog.readAll(agentLog.path, (line, why) =>
      log(`store: ${AGENT_LOG_FILE} line ${line}: ${why}`),
    );
    values.forEach((value, i) => {
      const parsed = StoredAgentSchema.safeParse(value);
      if (parsed.success) agentLog.records.set(parsed.data.id, parsed.data);
      else log(`store: ${AGENT_LOG_FILE} line ${i + 1} skipped: ${describeIssues(parsed.error)}`);
    });
    agentLog.lines = values.length;
    const migrated = values.length === 0 ? await agentLog.migrateLegacyFile(dataDir) : false;
    if (!migrated && agentLog.lines > agentLog.records.size) await agentLog.compact();
    return agentLog;
  }

  list(): StoredAgent[] {
    return [...this.records.values()];
  }

  /** Lines in the file now: what compaction keeps near the live record count. */
  get lineCount(): number {
    return this.lines;
  }

  /** Records the agent; its line is appended within the flush interval (the promise says when). */
  save(agent: StoredAgent): Promise<void> {
    this.records.set(agent.id, agent);
    this.dirty.add(agent.id);
    const promise = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    promise.catch(() => undefined);
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
    return promise;
  }

  /** Appends every pending change now; resolves once they are in the file. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = [...this.dirty];
    this.dirty.clear();
    const waiters = this.waiters.splice(0);
    const text = ids.map((id) => `${JSON.stringify(this.records.get(id))}\n`).join('');
    const write = this.enqueue(async () => {
      if (text !== '') {
        const handle = await open(this.path, 'a', 0o600);
        try {
          await handle.write(text);
        } finally {
          await handle.close();
        }
        this.lines += ids.length;
      }
      if (this.lines >= Math.max(COMPACT_MIN_LINES, COMPACT_FACTOR * this.records.size)) await this.rewrite();
    });
    write.then(
      () => waiters.forEach((w) => w.resolve()),
      (err: unknown) => waiters.forEach((w) => w.reject(err)),
    );
    return write;
  }

  private compact(): Promise<void> {
    return this.enqueue(() => this.rewrite());
  }

  /** Live records only, to a temp file renamed over the log: a crash leaves the old or the new one. */
  private async rewrite(): Promise<void> {
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, [...this.records.values()].map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
    await rename(tmp, this.path);
    this.lines = this.records.size;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.tail.then(work);
    this.tail = next.catch((err: unknown) =>
      this.log(`store: writing ${AGENT_LOG_FILE} failed: ${(err as Error).message}`),
    );
    return next;
  }

  /** agents.json from before the log: its records become the log's first compaction. */
  private async migrateLegacyFile(dataDir: string): Promise<boolean> {
    const legacyPath = join(dataDir, LEGACY_AGENTS_FILE);
    const text = await readIfExists(legacyPath);
    if (text === undefined) return false;
    const parsed = LegacyAgentsFileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${legacyPath} is not valid: ${describeIssues(parsed.error)}`);
    for (const agent of parsed.data.agents) this.records.set(agent.id, agent);
    await this.rewrite();
    await rename(legacyPath, `${legacyPath}.migrated`);
    this.log(`store: moved ${parsed.data.agents.length} agent(s) from ${LEGACY_AGENTS_FILE} to ${AGENT_LOG_FILE}`);
    return true;
  }
}
