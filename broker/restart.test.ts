import { cp, readFile } from 'node:fs/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ActionRecordSchema, CommandListSchema, type ActionRecord } from '../protocol/api.js';
import { signedAction } from '../test/helpers/actions.js';
import { FakeAgent } from '../test/helpers/broker/fake-agent.js';
import { ServerHarness, waitFor } from '../test/helpers/broker/harness.js';

let h: ServerHarness;
let late: FakeAgent[] = [];
beforeEach(() => {
  h = new ServerHarness();
});
afterEach(async () => {
  await Promise.all(late.map((a) => a.close()));
  late = [];
  await h.teardown();
});

async function action(id: string): Promise<ActionRecord> {
  return ActionRecordSchema.parse((await h.api('GET', `/actions/${id}`)).body);
}

/** A fake agent on the current server's broker, its beat handled, that the harness does not tear down with the server. */
async function reconnect(id: string): Promise<FakeAgent> {
  const agent = await FakeAgent.connect(h.server.mqttUrl, h.server.enrollmentSecret, id);
  late.push(agent);
  await h.beat(agent);
  return agent;
}

/**
 * Copies the data dir as it is on disk right now (what a crash would leave behind, unflushed
 * writes lost) and starts a new server on that copy in place of the current one.
 */
async function restartFromCrashImage(suffix: string): Promise<void> {
  const crashDir = `${h.dataDir}-${suffix}`;
  await cp(h.dataDir, crashDir, { recursive: true });
  await h.teardown();
  h = new ServerHarness();
  h.dataDir = crashDir;
  await h.start();
}

// Alike on purpose (duplicates): the opening steps match server.test.ts's counters case (two
// agents, one action, both commanded); each test spells out the fleet and action it relies on.
it('keeps accepted actions and received results across a restart, then redelivers to agents that come back', async () => {
  await h.start();
  const a = await h.agent('agent-a');
  const b = await h.agent('agent-b');
  const signed = await signedAction(['alice']);
  await h.submit(signed);
  await waitFor(() => a.commands.length === 1 && b.commands.length === 1, 'commands');
  await a.answer(a.commands[0]?.commandId ?? '', { isFound: true });
  await waitFor(async () => (await action(signed.id)).counters.done === 1, 'first result');
  const bCommandId = b.commands[0]?.commandId;

  await h.stop();
  await h.start();

  expect(await action(signed.id)).toMatchObject({
    status: 'inflight',
    counters: { targeted: 2, success: 1, done: 1, found: 1 },
  });
  const b2 = await reconnect('agent-b');
  await waitFor(() => b2.commands.length === 1, 'redelivered command');
  expect(b2.commands[0]?.commandId).toBe(bCommandId);
  // The agent's journal refuses the copy it already saw: that echo must not count as its answer.
  await b2.answer(bCommandId ?? '', { status: 'failed', error: { code: 'REPLAYED', message: 'seen' } });
  await b2.answer(bCommandId ?? '', { isFound: false });
  await waitFor(async () => (await action(signed.id)).status === 'completed', 'completion');
  const commands = CommandListSchema.parse((await h.api('GET', `/actions/${signed.id}/commands`)).body).commands;
  expect(commands.map((c) => `${c.agentId}:${c.status}`).sort()).toEqual([`${a.id}:success`, `${b.id}:success`].sort());
});

it('has an action on disk when POST /actions answers 201, and results on disk before the flush interval', async () => {
  // A flush interval far longer than the test: only the durable paths can put data on disk.
  await h.start({ flushMs: 600_000 });
  const a = await h.agent('agent-a');
  await h.agent('agent-b');
  const signed = await signedAction(['alice']);
  expect((await h.submit(signed)).status).toBe(201);
  const onDisk = ActionRecordSchema.parse(JSON.parse(await readFile(`${h.dataDir}/actions/${signed.id}.json`, 'utf8')));
  expect(onDisk.action.id).toBe(signed.id);
  await waitFor(() => a.commands.length === 1, 'command');
  await a.answer(a.commands[0]?.commandId ?? '', { isFound: true });
  await waitFor(async () => (await action(signed.id)).counters.done === 1, 'result');

  await restartFromCrashImage('crash');

  // The action file may lag the commands by a flush; the scheduler recounts from the commands.
  expect(await action(signed.id)).toMatchObject({
    status: 'inflight',
    counters: { targeted: 2, success: 1, done: 1, found: 1 },
  });
});

it('launches a pending action at validFrom after a restart (manual clock)', async () => {
  await h.start();
  await h.agent('agent-a');
  const now = h.clock.now().getTime();
  const signed = await signedAction(['alice'], {
    validFrom: new Date(now + 60_000),
    expireAfter: new Date(now + 600_000),
  });
  expect(ActionRecordSchema.parse((await h.submit(signed)).body).status).toBe('pending');
  await h.stop();
  await h.start();
  const a = await reconnect('agent-a');
  expect((await action(signed.id)).status).toBe('pending');

  h.clock.advance(61_000);

  await waitFor(async () => (await action(signed.id)).status === 'inflight', 'launch');
  await waitFor(() => a.commands.length >= 1, 'command');
  // Delivery is at least once: when the agent's first beat in this process is handled after
  // the launch, redelivery sends the same command again (its journal refuses the copy).
  const commands = CommandListSchema.parse((await h.api('GET', `/actions/${signed.id}/commands`)).body).commands;
  expect(commands.map((c) => c.agentId)).toEqual([a.id]);
  expect(new Set(a.commands.map((c) => c.commandId))).toEqual(new Set([commands[0]?.id]));
});

it('has every result of a burst on disk once the API counts it (group commit), crash image and all', async () => {
  await h.start({ flushMs: 600_000 });
  const agents = await Promise.all(
    Array.from({ length: 12 }, (_, i) => h.agent(`agent-${String(i).padStart(2, '0')}`)),
  );
  const signed = await signedAction(['alice']);
  await h.submit(signed);
  await waitFor(() => agents.every((a) => a.commands.length === 1), 'commands');
  // All at once: the results arrive together and are stored in groups.
  await Promise.all(agents.map((a, i) => a.answer(a.commands[0]?.commandId ?? '', { isFound: i % 2 === 0 })));
  await waitFor(async () => (await action(signed.id)).counters.done === agents.length, 'every result');

  await restartFromCrashImage('burst-crash');

  expect(await action(signed.id)).toMatchObject({
    status: 'completed',
    counters: { targeted: 12, success: 12, done: 12, found: 6 },
  });
});
