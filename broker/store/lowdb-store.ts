import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  InvestigatorRecordSchema,
  type ActionRecord,
  type CommandRecord,
  type InvestigatorRecord,
} from '../../protocol/api.js';
import { BugError, UserError } from '../../protocol/errors.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { ActionFiles } from './action-files.js';
import { AgentLog } from './agent-log.js';
import { BatchedFile, DEFAULT_FLUSH_MS } from './batched-file.js';
import { type ActionQuery, type CommandQuery, type Durability, type Store, type StoredAgent } from './store.js';

const InvestigatorsFileSchema = z.object({ investigators: z.array(InvestigatorRecordSchema) });
type InvestigatorsFile = z.infer<typeof InvestigatorsFileSchema>;

export interface LowdbStoreOptions {
  dataDir: string;
  /** Longest a change waits before its file is written (default 200 ms). */
  flushMs?: number;
  log?: (msg: string) => void;
}

/**
 * The Store on lowdb JSON files under `dataDir`: `actions/` (see action-files.ts),
 * `investigators.json` and the agent log `agents.ndjson` (see agent-log.ts). Everything is
 * loaded at start and served from memory.
 */
export class LowdbStore implements Store {
  private isClosed = false;

  private constructor(
    private readonly actions: ActionFiles,
    private readonly investigators: BatchedFile<InvestigatorsFile>,
    private readonly agents: AgentLog,
  ) {}

  static async open(opts: LowdbStoreOptions): Promise<LowdbStore> {
    const log = opts.log ?? (() => undefined);
    const flushMs = opts.flushMs ?? DEFAULT_FLUSH_MS;
    await mkdir(opts.dataDir, { recursive: true });
    const actions = await ActionFiles.open(opts.dataDir, flushMs, log);
    const investigators = await BatchedFile.open(
      join(opts.dataDir, 'investigators.json'),
      { investigators: [] },
      parseWith(InvestigatorsFileSchema, 'investigators.json'),
      flushMs,
    );
    const agents = await AgentLog.open(opts.dataDir, flushMs, log);
    return new LowdbStore(actions, investigators, agents);
  }

  private check(): void {
    if (this.isClosed) throw new BugError('store used after close');
  }

  async createAction(record: ActionRecord): Promise<void> {
    this.check();
    await this.actions.create(record);
  }
  saveAction(record: ActionRecord, durability: Durability = 'now'): Promise<void> {
    this.check();
    return this.actions.save(record, durability);
  }
  async getAction(id: string): Promise<ActionRecord | undefined> {
    return this.actions.get(id);
  }
  async listActions(query: ActionQuery): Promise<{ actions: ActionRecord[]; total: number }> {
    return this.actions.list(query);
  }
  async openActions(): Promise<ActionRecord[]> {
    return this.actions.open();
  }

  async saveCommands(commands: readonly CommandRecord[]): Promise<void> {
    this.check();
    await this.actions.saveCommands(commands);
  }
  async getCommand(id: string): Promise<CommandRecord | undefined> {
    return this.actions.getCommand(id);
  }
  async getCommands(ids: readonly string[]): Promise<ReadonlyMap<string, CommandRecord>> {
    // A plain loop: this runs for every group of results, and flatMap made two arrays per id.
    const found = new Map<string, CommandRecord>();
    for (const id of ids) {
      const cmd = this.actions.getCommand(id);
      if (cmd !== undefined) found.set(id, cmd);
    }
    return found;
  }
  async commandsOf(actionId: string): Promise<CommandRecord[]> {
    return this.actions.commandsOf(actionId);
  }
  async listCommands(actionId: string, query: CommandQuery): Promise<{ commands: CommandRecord[]; total: number }> {
    return this.actions.listCommands(actionId, query);
  }
  async openCommandsFor(agentId: string): Promise<CommandRecord[]> {
    return this.actions.openCommandsFor(agentId);
  }
  async foundAgents(actionId: string): Promise<ReadonlySet<string> | undefined> {
    return this.actions.agentsWhere(actionId, true);
  }
  async notFoundAgents(actionId: string): Promise<ReadonlySet<string> | undefined> {
    return this.actions.agentsWhere(actionId, false);
  }

  async listInvestigators(): Promise<InvestigatorRecord[]> {
    return [...this.investigators.data.investigators];
  }
  async saveInvestigator(record: InvestigatorRecord): Promise<void> {
    this.check();
    const others = this.investigators.data.investigators.filter((i) => i.fingerprint !== record.fingerprint);
    void this.investigators.set({ investigators: [...others, record] });
    // Investigator changes are rare and grant or remove power: write them at once.
    await this.investigators.flush();
  }

  async listAgents(): Promise<StoredAgent[]> {
    return this.agents.list();
  }
  saveAgent(agent: StoredAgent): Promise<void> {
    this.check();
    return this.agents.save(agent);
  }

  async flush(): Promise<void> {
    await Promise.all([this.actions.flush(), this.investigators.flush(), this.agents.flush()]);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    await Promise.all([this.actions.close(), this.investigators.flush(), this.agents.flush()]);
    this.isClosed = true;
  }
}

function parseWith<T>(schema: z.ZodType<T>, what: string): (raw: unknown) => T {
  return (raw) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new UserError(
        'CONFIG_INVALID',
        `${what} is not valid: ${describeIssues(parsed.error)}`,
        'restore it from a backup or move it away',
      );
    }
    return parsed.data;
  };
}
