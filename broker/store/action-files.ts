import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import { ActionRecordSchema, CommandRecordSchema, type ActionRecord, type CommandRecord } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { BatchedFile } from './batched-file.js';
import { NdjsonLog } from './ndjson-log.js';
import { FINAL_ACTION_STATUSES, type ActionQuery, type CommandQuery, type Durability } from './store.js';

interface ActionEntry {
  file: BatchedFile<ActionRecord>;
  log: NdjsonLog;
  commands: Map<string, CommandRecord>;
}

/**
 * Actions and their commands under `<dataDir>/actions/`: `<id>.json` holds the ActionRecord
 * (small, rewritten in batches), `<id>.commands.ndjson` gets one line per command change (the
 * last line for an id wins). A result therefore costs one appended line, whatever the history.
 * Everything is also indexed in memory; records handed out are shared: never mutate them.
 */
export class ActionFiles {
  private readonly actions = new Map<string, ActionEntry>();
  /** Ids in creation order (oldest first). */
  private readonly order: string[] = [];
  private readonly actionOfCommand = new Map<string, string>();
  private readonly openByAgent = new Map<string, Set<string>>();

  private constructor(
    private readonly dir: string,
    private readonly flushMs: number,
  ) {}

  static async open(dataDir: string, flushMs: number, log: (msg: string) => void): Promise<ActionFiles> {
    const files = new ActionFiles(join(dataDir, 'actions'), flushMs);
    await mkdir(files.dir, { recursive: true });
    const names = (await readdir(files.dir)).filter((n) => /^[0-9a-f]{32,64}\.json$/.test(n));
    for (const name of names) await files.load(name.slice(0, -'.json'.length), log);
    files.order.sort((a, b) => files.createdAt(a) - files.createdAt(b));
    return files;
  }

  private async load(id: string, log: (msg: string) => void): Promise<void> {
    let file: BatchedFile<ActionRecord>;
    try {
      file = await BatchedFile.open(join(this.dir, `${id}.json`), null, parseAction, this.flushMs);
    } catch (err) {
      log(`store: skipping action ${id}: ${(err as Error).message}`);
      return;
    }
    const entry: ActionEntry = { file, log: new NdjsonLog(this.logPath(id)), commands: new Map() };
    const lines = await NdjsonLog.readAll(this.logPath(id), (n, why) =>
      log(`store: ${id}.commands.ndjson line ${n}: ${why}`),
    );
    for (const [i, raw] of lines.entries()) {
      const parsed = CommandRecordSchema.safeParse(raw);
      if (parsed.success) entry.commands.set(parsed.data.id, parsed.data);
      else log(`store: ${id}.commands.ndjson line ${i + 1}: ${describeIssues(parsed.error)}`);
    }
    this.actions.set(id, entry);
    this.order.push(id);
    for (const cmd of entry.commands.values()) this.index(cmd);
  }

  private logPath(id: string): string {
    return join(this.dir, `${id}.commands.ndjson`);
  }

  private createdAt(id: string): number {
    const record = this.actions.get(id)?.file.data;
    return record === undefined ? 0 : Date.parse(record.createdAt);
  }

  private index(cmd: CommandRecord): void {
    this.actionOfCommand.set(cmd.id, cmd.actionId);
    let open = this.openByAgent.get(cmd.agentId);
    if (TERMINAL_COMMAND_STATUSES.has(cmd.status)) {
      open?.delete(cmd.id);
      if (open?.size === 0) this.openByAgent.delete(cmd.agentId);
      return;
    }
    if (open === undefined) this.openByAgent.set(cmd.agentId, (open = new Set()));
    open.add(cmd.id);
  }

  async create(record: ActionRecord): Promise<void> {
    const id = record.action.id;
    if (this.actions.has(id))
      throw new UserError('CONFLICT', `action ${id} already exists`, 'sign a new action: ids are single-use');
    const file = BatchedFile.create(join(this.dir, `${id}.json`), record, this.flushMs);
    this.actions.set(id, { file, log: new NdjsonLog(this.logPath(id)), commands: new Map() });
    this.order.push(id);
    void file.set(record);
    try {
      await file.flush();
    } catch (err) {
      // Not on disk means not accepted: forget it so the investigator can submit it again.
      this.actions.delete(id);
      this.order.splice(this.order.indexOf(id), 1);
      throw err;
    }
  }

  save(record: ActionRecord, durability: Durability): Promise<void> {
    const entry = this.actions.get(record.action.id);
    if (entry === undefined) return Promise.reject(new UserError('NOT_FOUND', `no action ${record.action.id}`));
    // A final status stays, as in the PostgreSQL store (store.ts saveAction).
    if (FINAL_ACTION_STATUSES.includes(entry.file.data.status) && record.status !== entry.file.data.status)
      return Promise.resolve();
    const written = entry.file.set(record);
    return durability === 'now' ? entry.file.flush() : written;
  }

  get(id: string): ActionRecord | undefined {
    return this.actions.get(id)?.file.data;
  }

  list(query: ActionQuery): { actions: ActionRecord[]; total: number } {
    const newestFirst = this.order.slice().reverse();
    if (query.status === undefined) {
      const actions = newestFirst.slice(query.offset, query.offset + query.limit).flatMap((id) => {
        const record = this.get(id);
        return record === undefined ? [] : [record];
      });
      return { actions, total: this.order.length };
    }
    const matching = newestFirst.flatMap((id) => {
      const record = this.get(id);
      return record !== undefined && record.status === query.status ? [record] : [];
    });
    return { actions: matching.slice(query.offset, query.offset + query.limit), total: matching.length };
  }

  open(): ActionRecord[] {
    return this.order.flatMap((id) => {
      const record = this.get(id);
      return record !== undefined && (record.status === 'pending' || record.status === 'inflight') ? [record] : [];
    });
  }

  async saveCommands(commands: readonly CommandRecord[]): Promise<void> {
    // Lines per action, built as one string: 10,000 commands at launch make one append.
    const byAction = new Map<ActionEntry, string>();
    for (const cmd of commands) {
      const entry = this.actions.get(cmd.actionId);
      if (entry === undefined)
        throw new UserError('NOT_FOUND', `command ${cmd.id} names unknown action ${cmd.actionId}`);
      // First result wins here too, as in the PostgreSQL store: a terminal command is final.
      const earlier = entry.commands.get(cmd.id);
      if (earlier !== undefined && TERMINAL_COMMAND_STATUSES.has(earlier.status)) continue;
      entry.commands.set(cmd.id, cmd);
      this.index(cmd);
      byAction.set(entry, `${byAction.get(entry) ?? ''}${JSON.stringify(cmd)}\n`);
    }
    await Promise.all([...byAction].map(([entry, lines]) => entry.log.appendText(lines)));
  }

  getCommand(id: string): CommandRecord | undefined {
    const actionId = this.actionOfCommand.get(id);
    return actionId === undefined ? undefined : this.actions.get(actionId)?.commands.get(id);
  }

  commandsOf(actionId: string): CommandRecord[] {
    return [...(this.actions.get(actionId)?.commands.values() ?? [])];
  }

  listCommands(actionId: string, query: CommandQuery): { commands: CommandRecord[]; total: number } {
    const all = this.commandsOf(actionId).filter((c) => query.found === undefined || isFoundAs(c, query.found));
    all.sort((a, b) => a.agentName.localeCompare(b.agentName) || a.agentId.localeCompare(b.agentId));
    return { commands: all.slice(query.offset, query.offset + query.limit), total: all.length };
  }

  openCommandsFor(agentId: string): CommandRecord[] {
    const ids = [...(this.openByAgent.get(agentId) ?? [])];
    return ids
      .flatMap((id) => {
        const cmd = this.getCommand(id);
        return cmd === undefined ? [] : [cmd];
      })
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  }

  agentsWhere(actionId: string, found: boolean): ReadonlySet<string> | undefined {
    const entry = this.actions.get(actionId);
    if (entry === undefined) return undefined;
    return new Set([...entry.commands.values()].filter((c) => isFoundAs(c, found)).map((c) => c.agentId));
  }

  async flush(): Promise<void> {
    await Promise.all([...this.actions.values()].map((e) => e.file.flush()));
  }

  /** Flushes and gives back every open command log's file descriptor. */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all([...this.actions.values()].map((e) => e.log.close()));
  }
}

/** found: the agent found something; not found: the command is over and found nothing. */
function isFoundAs(cmd: CommandRecord, found: boolean): boolean {
  if (found) return cmd.isFound === true;
  return TERMINAL_COMMAND_STATUSES.has(cmd.status) && cmd.isFound !== true;
}

function parseAction(raw: unknown): ActionRecord {
  const parsed = ActionRecordSchema.safeParse(raw);
  if (!parsed.success) throw new Error(describeIssues(parsed.error));
  return parsed.data;
}
