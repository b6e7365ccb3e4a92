import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionRecordSchema, CommandListSchema, type ActionRecord } from '../protocol/api.js';
import { signedAction } from '../test/helpers/actions.js';
import { armoredPublicKey, fingerprint } from '../test/helpers/keys.js';
import { FakeAgent } from '../test/helpers/broker/fake-agent.js';
import { errorCode, ServerHarness, waitFor } from '../test/helpers/broker/harness.js';

let h: ServerHarness;
beforeEach(() => {
  h = new ServerHarness();
});
afterEach(async () => {
  await h.teardown();
});

async function action(id: string): Promise<ActionRecord> {
  return ActionRecordSchema.parse((await h.api('GET', `/actions/${id}`)).body);
}

describe('POST /actions', () => {
  it('sends one command to exactly the agents the target matches', async () => {
    await h.start();
    const web1 = await h.agent('web-1', { tags: { role: 'web' } });
    const web2 = await h.agent('web-2', { tags: { role: 'web' } });
    const db1 = await h.agent('db-1', { tags: { role: 'db' } });
    const signed = await signedAction(['alice'], { target: "tags->>'role' = 'web'" });

    const res = await h.submit(signed);

    expect(res.status).toBe(201);
    const record = ActionRecordSchema.parse(res.body);
    expect(record.status).toBe('inflight');
    expect(record.counters.targeted).toBe(2);
    await waitFor(() => web1.commands.length === 1 && web2.commands.length === 1, 'commands');
    expect(db1.commands).toEqual([]);
    const sent = web1.commands[0];
    expect(sent?.action && JSON.parse(sent.action)).toEqual(signed);
  });

  it('reaches an agent that was offline at launch when it reconnects (its broker session queued the command)', async () => {
    await h.start();
    const first = await h.agent('agent-a');
    await first.close();
    const signed = await signedAction(['alice']);
    expect(ActionRecordSchema.parse((await h.submit(signed)).body).counters.targeted).toBe(1);

    const back = await FakeAgent.connect(h.server.mqttUrl, h.server.enrollmentSecret, 'agent-a');
    try {
      await waitFor(() => back.commands.length === 1, 'the queued command');
      await back.answer(back.commands[0]?.commandId ?? '');
      await waitFor(async () => (await action(signed.id)).status === 'completed', 'completion');
    } finally {
      await back.close();
    }
  });

  it('completes with zero commands when the target matches nobody', async () => {
    await h.start();
    const res = await h.submit(await signedAction(['alice'], { target: "os = 'plan9'" }));
    expect(res.status).toBe(201);
    expect(ActionRecordSchema.parse(res.body).status).toBe('completed');
  });
});

describe('results', () => {
  it('update counters and complete the action when every command is terminal', async () => {
    await h.start();
    const a = await h.agent('agent-a');
    const b = await h.agent('agent-b');
    const signed = await signedAction(['alice']);
    await h.submit(signed);
    await waitFor(() => a.commands.length === 1 && b.commands.length === 1, 'commands');

    await a.answer(a.commands[0]?.commandId ?? '', { isFound: true, actionId: signed.id });
    await waitFor(async () => (await action(signed.id)).counters.done === 1, 'first result');
    const half = await action(signed.id);
    expect(half.status).toBe('inflight');
    expect(half.counters).toMatchObject({ targeted: 2, sent: 2, success: 1, done: 1, found: 1 });

    await b.answer(b.commands[0]?.commandId ?? '', {
      status: 'failed',
      error: { code: 'ACL_WEIGHT_TOO_LOW', message: 'no' },
    });
    await waitFor(async () => (await action(signed.id)).status === 'completed', 'completion');
    expect((await action(signed.id)).counters).toMatchObject({ targeted: 2, success: 1, failed: 1, done: 2, found: 1 });

    const found = CommandListSchema.parse((await h.api('GET', `/actions/${signed.id}/commands?found=true`)).body);
    expect(found.commands.map((c) => c.agentId)).toEqual([a.id]);
    const notFound = CommandListSchema.parse((await h.api('GET', `/actions/${signed.id}/commands?found=false`)).body);
    expect(notFound.commands.map((c) => c.agentId)).toEqual([b.id]);
  });

  it.each([
    { name: "on another agent's command (forged)", by: 'agent-b', status: 'success' as const },
    { name: 'for an unknown command id', by: 'agent-a', status: 'success' as const, unknown: true },
  ])('drops a result $name', async ({ by, status, unknown }) => {
    await h.start();
    const a = await h.agent('agent-a');
    const b = await h.agent('agent-b', { tags: { skip: 'yes' } });
    const signed = await signedAction(['alice'], { target: "name = 'agent-a'" });
    await h.submit(signed);
    await waitFor(() => a.commands.length === 1, 'command');
    const sender = by === 'agent-a' ? a : b;
    await sender.answer(unknown === true ? 'f'.repeat(32) : (a.commands[0]?.commandId ?? ''), { status });
    await waitFor(() => h.logs.some((l) => /dropped \[\w+\]: a result/.test(l)), 'drop log');
    expect((await action(signed.id)).counters.done).toBe(0);
  });
});

describe('expiry and cancel', () => {
  it('expires every unanswered command at expireAfter (manual clock)', async () => {
    await h.start();
    const a = await h.agent('agent-a');
    const b = await h.agent('agent-b');
    const signed = await signedAction(['alice'], {
      now: h.clock.now(),
      expireAfter: new Date(h.clock.now().getTime() + 60_000),
    });
    await h.submit(signed);
    await waitFor(() => a.commands.length === 1 && b.commands.length === 1, 'commands');
    await a.answer(a.commands[0]?.commandId ?? '');
    await waitFor(async () => (await action(signed.id)).counters.done === 1, 'first result');

    h.clock.advance(61_000);

    await waitFor(async () => (await action(signed.id)).status === 'expired', 'expiry');
    expect((await action(signed.id)).counters).toMatchObject({ success: 1, expired: 1, done: 2 });
  });

  it('cancels: open commands become cancelled and their agents are told', async () => {
    await h.start();
    const a = await h.agent('agent-a');
    const signed = await signedAction(['alice']);
    await h.submit(signed);
    await waitFor(() => a.commands.length === 1, 'command');

    const res = await h.api('POST', `/actions/${signed.id}/cancel`);

    expect(res.status).toBe(200);
    expect(ActionRecordSchema.parse(res.body)).toMatchObject({
      status: 'cancelled',
      counters: { cancelled: 1, done: 1 },
    });
    await waitFor(() => a.cancels.length === 1, 'cancel message');
    expect(a.cancels[0]?.commandId).toBe(a.commands[0]?.commandId);
    const again = await h.api('POST', `/actions/${signed.id}/cancel`);
    expect({ status: again.status, code: errorCode(again) }).toEqual({ status: 409, code: 'CONFLICT' });
  });
});

describe('agent.json', () => {
  it('lists the active investigators and follows changes', async () => {
    await h.start();
    const names = async (): Promise<string[]> => {
      const config = JSON.parse(await readFile(h.server.agentConfigPath, 'utf8')) as {
        investigators: Array<{ name: string }>;
        enrollmentSecret: string;
        brokerUrl: string;
      };
      expect(config).toMatchObject({ enrollmentSecret: h.server.enrollmentSecret, brokerUrl: h.server.mqttUrl });
      return config.investigators.map((i) => i.name);
    };
    expect(await names()).toEqual(['alice']);
    // Read at once: the server answers a change only after agent.json holds it, so an agent
    // configured from it right away knows (or no longer trusts) the investigator.
    await h.api('POST', '/investigators', { body: { name: 'bob', publicKey: armoredPublicKey('bob') } });
    expect(await names()).toEqual(['alice', 'bob']);
    await h.api('POST', `/investigators/${await fingerprint('bob')}/disable`);
    expect(await names()).toEqual(['alice']);
  });
});

describe('agent registry', () => {
  it('keeps a destroyed agent destroyed: a later heartbeat under its id is dropped', async () => {
    await h.start();
    const agent = await h.agent('web-9');
    await agent.publishRaw(
      `mig/agents/${agent.id}/heartbeat`,
      JSON.stringify({ v: 1, kind: 'offline', agentId: agent.id, reason: 'destroyed' }),
    );
    const statusOf = async (): Promise<string | undefined> =>
      ((await h.api('GET', `/agents/${agent.id}`)).body as { status?: string }).status;
    await waitFor(async () => (await statusOf()) === 'destroyed', 'destroyed status');
    await agent.heartbeat();
    await new Promise((r) => setTimeout(r, 300));
    expect(await statusOf()).toBe('destroyed');
  });
});
