import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionStatus, SignedAction } from '../../../protocol/action.js';
import type { ActionRecord, CommandRecord, InvestigatorRecord } from '../../../protocol/api.js';
import { newActionId } from '../../../protocol/canonical.js';
import { signedAction } from '../actions.js';
import { storedAgent } from './stored-agent.js';
import { countersOf, emptyCounters } from '../../../broker/scheduler/counters.js';
import type { Store, StoredAgent } from '../../../broker/store/store.js';

/**
 * The Store contract: what the scheduler, registry and API may rely on, whatever the store.
 * Each store's test file runs these cases on its own backend (store-contract.*.test.ts).
 */
export interface StoreBackend {
  /** Called before each case: an empty backend (a new data dir, a new database). */
  reset(): Promise<void>;
  /** A store on the backend's current state; several may be open at once when `isShared`. */
  open(): Promise<Store>;
  /** Called once after all cases. */
  dispose(): Promise<void>;
  /** Several stores (servers) may use the backend at once: runs the concurrency cases. */
  isShared: boolean;
}

const template: Promise<SignedAction> = signedAction(['alice']);

export function describeStoreContract(name: string, backend: StoreBackend): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const others: Store[] = [];
    let seq = 0;

    beforeEach(async () => {
      await backend.reset();
      store = await backend.open();
    });
    afterEach(async () => {
      await Promise.all([store, ...others.splice(0)].map((s) => s.close()));
    });
    afterAll(() => backend.dispose());

    async function reopen(): Promise<void> {
      await store.close();
      store = await backend.open();
    }
    async function another(): Promise<Store> {
      const s = await backend.open();
      others.push(s);
      return s;
    }
    async function newAction(status: ActionStatus = 'inflight', into: Store = store): Promise<ActionRecord> {
      seq += 1;
      const action = { ...(await template), id: newActionId() };
      const record: ActionRecord = {
        action,
        status,
        investigators: [],
        counters: emptyCounters(),
        createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
      };
      await into.createAction(record);
      return record;
    }
    const page = { limit: 100, offset: 0 };
    const ids = (records: ActionRecord[]) => records.map((r) => r.action.id);

    it('creates, gets and refuses a second action with the same id', async () => {
      const record = await newAction();
      expect(await store.getAction(record.action.id)).toEqual(record);
      expect(await store.getAction(newActionId())).toBeUndefined();
      await expect(store.createAction(record)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('lists actions newest first, filtered by status, paged, with the filtered total', async () => {
      const a = await newAction('completed');
      const b = await newAction('inflight');
      const c = await newAction('completed');
      const d = await newAction('pending');
      expect(ids((await store.listActions(page)).actions)).toEqual(ids([d, c, b, a]));
      expect(await store.listActions({ limit: 2, offset: 1 })).toMatchObject({ total: 4 });
      expect(ids((await store.listActions({ limit: 2, offset: 1 })).actions)).toEqual(ids([c, b]));
      const completed = await store.listActions({ limit: 1, offset: 1, status: 'completed' });
      expect({ ids: ids(completed.actions), total: completed.total }).toEqual({ ids: ids([a]), total: 2 });
      expect(await store.listActions({ limit: 10, offset: 10 })).toEqual({ actions: [], total: 4 });
      expect(ids(await store.openActions())).toEqual(ids([b, d]));
    });

    it('replaces an action at once or batched, readable at once and durable after flush', async () => {
      const record = await newAction('pending');
      const launched: ActionRecord = { ...record, status: 'inflight' };
      await store.saveAction(launched, 'now');
      const batched: ActionRecord = { ...launched, reason: 'counted later' };
      const written = store.saveAction(batched, 'batched');
      expect(await store.getAction(record.action.id)).toEqual(batched);
      await store.flush();
      await written;
      await reopen();
      expect(await store.getAction(record.action.id)).toEqual(batched);
      await expect(
        store.saveAction({ ...record, action: { ...record.action, id: newActionId() } }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('keeps a final action status against a later write of another status', async () => {
      const record = await newAction();
      await store.saveAction({ ...record, status: 'cancelled', reason: 'stop' });
      await store.saveAction({ ...record, status: 'inflight' });
      expect(await store.getAction(record.action.id)).toMatchObject({ status: 'cancelled', reason: 'stop' });
      await store.saveAction({ ...record, status: 'cancelled', reason: 'stopped twice' });
      expect((await store.getAction(record.action.id))?.reason).toBe('stopped twice');
    });

    it('stores commands: get, per action, per agent still open, listed by name with found filters', async () => {
      const first = await newAction();
      const second = await newAction();
      await store.saveCommands([
        command(first, 'c-3', 1),
        command(first, 'a-1', 2),
        command(first, 'b-2', 3),
        command(second, 'a-1', 4),
      ]);
      await store.saveCommands([
        command(first, 'a-1', 2, { status: 'success', isFound: true }),
        command(first, 'b-2', 3, { status: 'failed', isFound: false }),
      ]);
      expect(await store.getCommand(command(first, 'b-2', 3).id)).toMatchObject({ status: 'failed', isFound: false });
      expect(await store.getCommand('0'.repeat(32))).toBeUndefined();
      const some = await store.getCommands([command(first, 'a-1', 2).id, '0'.repeat(32), command(second, 'a-1', 4).id]);
      expect(
        [...some.values()]
          .map((c) => `${c.actionId === first.action.id ? 'first' : 'second'}:${c.agentId}:${c.status}`)
          .sort(),
      ).toEqual(['first:a-1:success', 'second:a-1:sent']);
      expect(some.get(command(first, 'a-1', 2).id)?.id).toBe(command(first, 'a-1', 2).id);
      expect((await store.getCommands([])).size).toBe(0);
      expect((await store.commandsOf(first.action.id)).map((c) => c.agentId).sort()).toEqual(['a-1', 'b-2', 'c-3']);
      expect(await store.commandsOf(newActionId())).toEqual([]);
      const listed = await store.listCommands(first.action.id, { limit: 2, offset: 1 });
      expect({ agents: listed.commands.map((c) => c.agentId), total: listed.total }).toEqual({
        agents: ['b-2', 'c-3'],
        total: 3,
      });
      expect(
        (await store.listCommands(first.action.id, { ...page, found: true })).commands.map((c) => c.agentId),
      ).toEqual(['a-1']);
      expect(
        (await store.listCommands(first.action.id, { ...page, found: false })).commands.map((c) => c.agentId),
      ).toEqual(['b-2']);
      expect((await store.openCommandsFor('a-1')).map((c) => c.actionId)).toEqual([second.action.id]);
      expect((await store.openCommandsFor('c-3')).map((c) => c.actionId)).toEqual([first.action.id]);
      expect(await store.openCommandsFor('nobody')).toEqual([]);
      expect([...((await store.foundAgents(first.action.id)) ?? [])]).toEqual(['a-1']);
      expect([...((await store.notFoundAgents(first.action.id)) ?? [])]).toEqual(['b-2']);
      expect(await store.foundAgents(second.action.id)).toEqual(new Set());
      expect(await store.foundAgents(newActionId())).toBeUndefined();
      expect(await store.notFoundAgents(newActionId())).toBeUndefined();
    });

    it('keeps the first result of a command: a terminal command is never replaced', async () => {
      const record = await newAction();
      await store.saveCommands([command(record, 'a-1', 1)]);
      await store.saveCommands([command(record, 'a-1', 1, { status: 'success', isFound: true })]);
      await store.saveCommands([
        command(record, 'a-1', 1, { status: 'expired' }),
        command(record, 'a-1', 1, { status: 'failed' }),
      ]);
      expect(await store.getCommand(command(record, 'a-1', 1).id)).toMatchObject({ status: 'success', isFound: true });
    });

    it('refuses commands of an unknown action', async () => {
      const record = await newAction();
      const orphan = { ...command(record, 'a-1', 1), actionId: newActionId() };
      await expect(store.saveCommands([orphan])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('keeps counters that agree with the commands', async () => {
      const record = await newAction();
      const commands = [
        command(record, 'a-1', 1),
        command(record, 'b-2', 2, { status: 'success', isFound: true, finishedAt: at(3) }),
      ];
      await store.saveCommands(commands);
      await store.saveAction({ ...record, counters: countersOf(commands) }, 'batched');
      await store.flush();
      await reopen();
      expect((await store.getAction(record.action.id))?.counters).toEqual(countersOf(commands));
    });

    it('creates and replaces investigators by fingerprint', async () => {
      await store.saveInvestigator(investigator('a', 'alice'));
      await store.saveInvestigator(investigator('b', 'bob'));
      await store.saveInvestigator({ ...investigator('a', 'alice'), status: 'disabled' });
      await reopen();
      const all = (await store.listInvestigators()).sort((x, y) => x.name.localeCompare(y.name));
      expect(all).toEqual([{ ...investigator('a', 'alice'), status: 'disabled' }, investigator('b', 'bob')]);
    });

    it('keeps agents: readable at once, durable after close', async () => {
      const saved = store.saveAgent(agent('a-1', 'online'));
      void store.saveAgent(agent('b-2', 'online'));
      void store.saveAgent(agent('a-1', 'offline'));
      expect((await store.listAgents()).map((a) => `${a.id}:${a.status}`).sort()).toEqual([
        'a-1:offline',
        'b-2:online',
      ]);
      await store.flush();
      await saved;
      await store.saveAgent({ ...agent('b-2', 'offline'), offlineReason: 'shutdown' });
      await reopen();
      expect((await store.listAgents()).map((a) => `${a.id}:${a.status}:${a.offlineReason ?? ''}`).sort()).toEqual([
        'a-1:offline:',
        'b-2:offline:shutdown',
      ]);
    });

    it('keeps everything across close and reopen, and refuses use after close', async () => {
      const record = await newAction();
      await store.saveCommands([command(record, 'a-1', 1, { status: 'timeout' })]);
      await store.close();
      await expect(store.saveCommands([command(record, 'b-2', 2)])).rejects.toThrow(/after close/);
      store = await backend.open();
      expect(await store.commandsOf(record.action.id)).toEqual([command(record, 'a-1', 1, { status: 'timeout' })]);
    });

    if (!backend.isShared) return;

    it('serves two stores at once: each sees what the other wrote', async () => {
      const b = await another();
      const record = await newAction('inflight', b);
      expect(await store.getAction(record.action.id)).toEqual(record);
      await store.saveCommands([command(record, 'a-1', 1)]);
      expect((await b.openCommandsFor('a-1')).map((c) => c.id)).toEqual([command(record, 'a-1', 1).id]);
      await expect(store.createAction(record)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('opens on a new database from several servers at once (one migrates, none fails)', async () => {
      const opened = await Promise.all([backend.open(), backend.open(), backend.open()]);
      others.push(...opened);
      await newAction('inflight', opened[2]);
      expect((await store.listActions(page)).total).toBe(1);
    });

    it('counts results written by two servers at once from stale counters, neither lost nor doubled', async () => {
      const b = await another();
      const record = await newAction();
      const launched = Array.from({ length: 40 }, (_, i) => command(record, `agent-${i}`, i));
      await store.saveCommands(launched);
      await store.saveAction({ ...record, counters: countersOf(launched) });
      // Each server answers half the commands, plus a duplicate of the other's first result, and
      // writes counters computed from its own (stale) view, as the scheduler does.
      const answer = (s: Store, from: number) =>
        Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const n = (from + i) % 40;
            await s.saveCommands([
              command(record, `agent-${n}`, n, { status: 'success', isFound: n % 2 === 0 }),
              command(record, `agent-${(n + 20) % 40}`, (n + 20) % 40, { status: 'failed' }),
            ]);
            const seen = await s.commandsOf(record.action.id);
            await s.saveAction({ ...record, counters: countersOf(seen.slice(0, 5)) }, 'batched');
          }),
        );
      await Promise.all([answer(store, 0), answer(b, 20)]);
      await Promise.all([store.flush(), b.flush()]);
      const final = await (await another()).getAction(record.action.id);
      const truth = await store.commandsOf(record.action.id);
      expect(final?.counters).toEqual(countersOf(truth));
      expect(final?.counters).toMatchObject({ targeted: 40, done: 40 });
      // Whoever came first, every command has exactly one terminal result.
      expect(truth.every((c) => c.status === 'success' || c.status === 'failed')).toBe(true);
    });

    it('lets exactly one of two servers create the same action', async () => {
      const b = await another();
      seq += 1;
      const record: ActionRecord = {
        action: { ...(await template), id: newActionId() },
        status: 'pending',
        investigators: [],
        counters: emptyCounters(),
        createdAt: at(seq),
      };
      const outcomes = await Promise.allSettled([store.createAction(record), b.createAction(record)]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
    });
  });
}

function at(second: number): string {
  return new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString();
}

/** One command per (action, agent): a later record for the pair replaces the earlier one. */
function command(
  action: ActionRecord,
  agentId: string,
  second: number,
  patch: Partial<CommandRecord> = {},
): CommandRecord {
  const id = createHash('sha256').update(`${action.action.id}/${agentId}`).digest('hex').slice(0, 32);
  return {
    id,
    actionId: action.action.id,
    agentId,
    agentName: agentId,
    status: 'sent',
    createdAt: at(second),
    sentAt: at(second),
    ...patch,
  };
}

function investigator(hexDigit: string, name: string): InvestigatorRecord {
  return {
    fingerprint: hexDigit.repeat(40),
    name,
    publicKey: `key of ${name}`,
    isAdmin: false,
    status: 'active',
    createdAt: at(0),
  };
}

function agent(id: string, status: StoredAgent['status']): StoredAgent {
  return storedAgent({
    id,
    queueloc: id,
    environment: { ident: '', init: '', addresses: [], hostname: id },
    status,
    startedAt: at(0),
    firstSeenAt: at(0),
    lastHeartbeatAt: at(1),
  });
}
