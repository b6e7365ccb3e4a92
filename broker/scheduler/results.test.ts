import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { resultMessage } from '../../test/helpers/agent/result-message.js';
import { publicKeyBase64 } from '../../protocol/agent-key.js';
import { emptyCounters, type ActionRecord, type CommandRecord, type LiveEvent } from '../../protocol/api.js';
import { signedAction } from '../../test/helpers/actions.js';
import { systemClock } from '../clock.js';
import { EventHub } from '../events/event-hub.js';
import { LowdbStore } from '../store/lowdb-store.js';
import type { SchedulerContext } from './context.js';
import { applyResults } from './results.js';

let dir: string;
let store: LowdbStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'results-'));
  store = await LowdbStore.open({ dataDir: dir });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const at = '2026-12-07T00:00:00.000Z';

it('keeps every field of the command, adds the answer (signature and error included), counts it and says so once stored', async () => {
  const action = await signedAction(['alice']);
  const record: ActionRecord = {
    action,
    status: 'inflight',
    investigators: ['x'],
    counters: emptyCounters(),
    createdAt: at,
  };
  await store.createAction(record);
  const sent = (id: string, agentId: string): CommandRecord => ({
    id,
    actionId: action.id,
    agentId,
    agentName: `name-${id}`,
    status: 'sent',
    createdAt: at,
    sentAt: at,
  });
  const { privateKey } = generateKeyPairSync('ed25519');
  const agentId = 'a'.repeat(32);
  const commands = [sent('c'.repeat(32), agentId), sent('d'.repeat(32), 'b'.repeat(32))];
  await store.saveCommands(commands);
  await store.saveAction({ ...record, counters: { ...emptyCounters(), targeted: 2, sent: 2 } });
  const events: LiveEvent[] = [];
  const hub = new EventHub();
  hub.subscribe((e) => events.push(e));
  const ctx = { store, events: hub, clock: systemClock(), log: () => undefined } as unknown as SchedulerContext;
  const signer = { agentId, privateKey, publicKey: publicKeyBase64(privateKey) };
  const found = resultMessage(
    {
      commandId: commands[0]?.id ?? '',
      actionId: action.id,
      status: 'success',
      operations: [{ module: 'file', isFound: true, rows: [], stats: {}, errors: [] }],
      startedAt: new Date(at),
      finishedAt: new Date(at),
    },
    signer,
  );
  const refused = resultMessage({
    commandId: commands[1]?.id ?? '',
    actionId: action.id,
    status: 'failed',
    error: { code: 'BAD_SIGNATURE', message: 'no' },
    operations: [],
    startedAt: new Date(at),
    finishedAt: new Date(at),
  });

  const { outcome, action: after } = await applyResults(ctx, [found, refused], () => false, 'external-broker');

  expect(outcome).toBe('completed');
  expect(after?.counters).toEqual({
    ...emptyCounters(),
    targeted: 2,
    sent: 2,
    success: 1,
    failed: 1,
    done: 2,
    found: 1,
  });
  const first = await store.getCommand(commands[0]?.id ?? '');
  expect(first).toEqual({
    ...commands[0],
    status: 'success',
    finishedAt: first?.finishedAt,
    isFound: true,
    operations: found.operations,
    agentAnswer: expect.objectContaining({ signature: found.signature }),
  });
  expect(Object.keys(first ?? {}).slice(0, 7)).toEqual(Object.keys(commands[0] ?? {}));
  const second = await store.getCommand(commands[1]?.id ?? '');
  expect(second).toMatchObject({ ...commands[1], status: 'failed', isFound: false, error: { code: 'BAD_SIGNATURE' } });
  expect(second?.agentAnswer).toBeUndefined();
  expect(events.map((e) => e.type)).toEqual(['command', 'command', 'action']);
});
