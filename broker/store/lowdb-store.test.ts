import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionRecord, CommandRecord } from '../../protocol/api.js';
import { newActionId } from '../../protocol/canonical.js';
import { signedAction } from '../../test/helpers/actions.js';
import { emptyCounters } from '../scheduler/counters.js';
import { LowdbStore } from './lowdb-store.js';

let dir: string;
let store: LowdbStore;
let logs: string[];
const template = signedAction(['alice']);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-store-'));
  logs = [];
  store = await LowdbStore.open({ dataDir: dir, flushMs: 10, log: (m) => logs.push(m) });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function reopen(): Promise<void> {
  await store.close();
  store = await LowdbStore.open({ dataDir: dir, flushMs: 10, log: (m) => logs.push(m) });
}

let seq = 0;
async function newAction(): Promise<ActionRecord> {
  seq += 1;
  const action = { ...(await template), id: newActionId() };
  const record: ActionRecord = {
    action,
    status: 'inflight',
    investigators: [],
    counters: emptyCounters(),
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
  };
  await store.createAction(record);
  return record;
}

function command(actionId: string, agentId: string, patch: Partial<CommandRecord> = {}): CommandRecord {
  // One command per (action, agent), so a later record for the pair replaces the earlier one.
  const id = createHash('sha256').update(`${actionId}/${agentId}`).digest('hex').slice(0, 32);
  return { id, actionId, agentId, agentName: agentId, status: 'sent', createdAt: '2025-01-01T00:00:00.000Z', ...patch };
}

describe('LowdbStore', () => {
  it('reloads actions, commands (last line wins) and the indexes', async () => {
    const first = await newAction();
    const second = await newAction();
    await store.saveCommands([
      command(first.action.id, 'a-1'),
      command(first.action.id, 'b-2'),
      command(second.action.id, 'c-3'),
    ]);
    await store.saveCommands([
      command(first.action.id, 'a-1', { status: 'success', isFound: true }),
      command(first.action.id, 'b-2', { status: 'failed', isFound: false }),
    ]);
    await store.saveAction({ ...first, status: 'completed' }, 'batched');
    await reopen();

    expect((await store.listActions({ limit: 10, offset: 0 })).actions.map((a) => a.action.id)).toEqual([
      second.action.id,
      first.action.id,
    ]);
    expect((await store.getAction(first.action.id))?.status).toBe('completed');
    expect((await store.openActions()).map((a) => a.action.id)).toEqual([second.action.id]);
    expect([...((await store.foundAgents(first.action.id)) ?? [])]).toEqual(['a-1']);
    expect([...((await store.notFoundAgents(first.action.id)) ?? [])]).toEqual(['b-2']);
    expect(await store.foundAgents(newActionId())).toBeUndefined();
    expect((await store.openCommandsFor('c-3')).map((c) => c.actionId)).toEqual([second.action.id]);
    expect(await store.openCommandsFor('a-1')).toEqual([]);
    expect((await store.listCommands(first.action.id, { limit: 10, offset: 0, found: true })).total).toBe(1);
  });

  it('refuses a second action with the same id', async () => {
    const record = await newAction();
    await expect(store.createAction(record)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('drops a partial last line left by a crash and keeps appending cleanly', async () => {
    const record = await newAction();
    await store.saveCommands([command(record.action.id, 'a-1')]);
    await store.close();
    await appendFile(join(dir, 'actions', `${record.action.id}.commands.ndjson`), '{"id":"half a li');
    store = await LowdbStore.open({ dataDir: dir, flushMs: 10, log: (m) => logs.push(m) });
    await store.saveCommands([command(record.action.id, 'b-2')]);
    await reopen();
    expect((await store.commandsOf(record.action.id)).map((c) => c.agentId)).toEqual(['a-1', 'b-2']);
    expect(logs.some((l) => l.includes('partial last line'))).toBe(true);
  });

  it('skips an action file that is not an action record, saying so', async () => {
    await writeFile(join(dir, 'actions', `${'e'.repeat(32)}.json`), '{"not":"an action"}');
    await reopen();
    expect((await store.listActions({ limit: 10, offset: 0 })).total).toBe(0);
    expect(logs.some((l) => l.includes(`skipping action ${'e'.repeat(32)}`))).toBe(true);
  });
});

/** Bytes that one result costs on disk: appended bytes, plus the full size of any file rewritten. */
async function bytesWrittenBy(work: () => Promise<void>): Promise<number> {
  const snapshot = async () => {
    const files = new Map<string, { size: number; ino: number }>();
    for (const sub of ['', 'actions']) {
      for (const name of await readdir(join(dir, sub))) {
        const s = await stat(join(dir, sub, name));
        if (s.isFile()) files.set(join(sub, name), { size: s.size, ino: s.ino });
      }
    }
    return files;
  };
  const before = await snapshot();
  await work();
  await store.flush();
  let bytes = 0;
  for (const [name, after] of await snapshot()) {
    const old = before.get(name);
    if (old === undefined || old.ino !== after.ino) bytes += after.size;
    else bytes += after.size - old.size;
  }
  return bytes;
}

it('writes as many bytes per result after 200 past actions as after 1', async () => {
  const costs: number[] = [];
  for (const count of [1, 200]) {
    while (seq < count) {
      const past = await newAction();
      await store.saveCommands([
        command(past.action.id, 'a-1', {
          status: 'success',
          isFound: true,
          operations: [{ module: 'file', isFound: true, rows: [{ path: '/etc/passwd' }], stats: {}, errors: [] }],
        }),
      ]);
    }
    const record = await newAction();
    await store.saveCommands([command(record.action.id, 'a-1')]);
    await store.flush();
    costs.push(
      await bytesWrittenBy(async () => {
        await store.saveCommands([
          command(record.action.id, 'a-1', { status: 'success', isFound: false, operations: [] }),
        ]);
        await store.saveAction({ ...record, counters: { ...record.counters, done: 1 } }, 'batched');
      }),
    );
  }
  const [few, many] = costs as [number, number];
  expect(few).toBeGreaterThan(0);
  // Same-sized records either way: anything that scales with history would multiply this.
  expect(many).toBeLessThanOrEqual(few * 1.05);
});
