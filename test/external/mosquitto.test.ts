import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { parseAgentConfig } from '../../agent/config.js';
import { startAgent } from '../../agent/start.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signResult, type AnswerSigner } from '../../agent/outbox.js';
import { verifyStoredAnswer } from '../../protocol/answer-check.js';
import { ActionRecordSchema, CommandListSchema, type ActionRecord } from '../../protocol/api.js';
import { commandsTopic, enrollRequestTopic, enrollStatusTopic, resultsTopic } from '../../protocol/topics.js';
import { signedAction } from '../helpers/actions.js';
import { ENROLL_USERNAME, enrollClientId } from '../../broker/mqtt/credentials.js';
import { connectClient, FakeAgent } from '../helpers/broker/fake-agent.js';
import { fakeEnrollRequest, fakeIdentity } from '../helpers/broker/fake-identity.js';
import { ServerHarness, waitFor } from '../helpers/broker/harness.js';
import { dynsecAdmin } from '../../broker/external/dynsec.js';
import { ADMIN_USER, MosquittoFixture, mosquittoMissing } from '../helpers/broker/mosquitto-fixture.js';

/**
 * `mig server --broker`: the server on a real Mosquitto 2.0 run from deploy/mosquitto/
 * mosquitto.conf, agents enrolling and logging in there with their own accounts.
 */
const missing = mosquittoMissing();
if (missing !== undefined) console.warn(`\n*** SKIPPED broker/external/mosquitto.test.ts: ${missing} ***\n`);

describe.skipIf(missing !== undefined)('mig server on Mosquitto (dynamic security)', () => {
  let mosquitto: MosquittoFixture;
  let h: ServerHarness;
  // A broker per test: each test's server has a new client id, and the shared subscription of
  // an earlier test's (stopped, clean: false) server would take its share of messages.
  beforeEach(async () => {
    mosquitto = await MosquittoFixture.start();
    h = new ServerHarness();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail')
      console.log(['server:', ...h.logs, 'mosquitto:', ...mosquitto.logs.slice(-40)].join('\n'));
    await h.teardown();
    await mosquitto.teardown();
  });

  const start = (extra: Parameters<ServerHarness['start']>[0] = {}) =>
    h.start({ broker: { url: mosquitto.url, username: ADMIN_USER, password: mosquitto.adminPassword }, ...extra });

  /** Enrolls `label` through Mosquitto and logs in with its own account (username = its id). */
  async function agent(label: string): Promise<FakeAgent> {
    const identity = fakeIdentity(label);
    const status = await FakeAgent.enroll(mosquitto.url, h.server.enrollmentSecret, fakeEnrollRequest(identity));
    expect(status.state).toBe('accepted');
    return h.track(await FakeAgent.login(mosquitto.url, identity, { username: identity.id }));
  }

  /** The QoS granted per filter (128: refused); mqtt.js rejects the promise form on any refusal. */
  const grants = (client: MqttClient, topics: string[]): Promise<number[]> =>
    client.subscribeAsync(topics, { qos: 1 }).then(
      (granted) => granted.map((g) => g.qos),
      (err: unknown) => (err as { packet?: { granted?: number[] } }).packet?.granted ?? [],
    );

  const action = async (id: string): Promise<ActionRecord> =>
    ActionRecordSchema.parse((await h.api('GET', `/actions/${id}`)).body);

  it.each([false, true])(
    'an agent enrolls, is accepted, receives a signed action and its result is stored (shared subscriptions: %s)',
    async (shared) => {
      const server = await h.start({
        broker: { url: mosquitto.url, username: ADMIN_USER, password: mosquitto.adminPassword, shared },
      });
      expect(server.mqttUrl).toBe(mosquitto.url);
      const a = await agent('mosq-a');
      await h.beat(a);
      const signed = await signedAction(['alice']);
      expect((await h.submit(signed)).status).toBe(201);
      await waitFor(() => a.commands.length === 1, 'the command through Mosquitto');
      expect(JSON.parse(a.commands[0]?.action ?? '{}')).toEqual(signed);

      await a.answer(a.commands[0]?.commandId ?? '', { isFound: true, actionId: signed.id });
      await waitFor(async () => (await action(signed.id)).status === 'completed', 'the stored result');
      expect((await action(signed.id)).counters).toMatchObject({ success: 1, found: 1, done: 1 });
    },
  );

  it('a real agent (agent/start.ts) enrolls through Mosquitto from agent.json and answers a hunt', async () => {
    const server = await start();
    const raw = JSON.parse(readFileSync(server.agentConfigPath, 'utf8')) as Record<string, unknown>;
    expect(raw.brokerUrl).toBe(mosquitto.url);
    const agentDir = join(h.dataDir, '..', `${h.dataDir.split('/').pop() ?? 'x'}-agent`);
    mkdirSync(join(agentDir, 'root', 'etc'), { recursive: true });
    const config = parseAgentConfig(
      { ...raw, name: 'real-1', dataDir: agentDir, root: join(agentDir, 'root'), heartbeatMs: 1000 },
      { baseDir: h.dataDir },
    );
    const agent = await startAgent(config, { backoff: { initialMs: 20, maxMs: 200 } });
    try {
      await waitFor(
        async () => (await h.api('GET', `/agents/${agent.agentId}`)).status === 200,
        'the real agent online',
        20_000,
      );
      const signed = await signedAction(['alice'], { target: "name = 'real-1'" });
      expect(ActionRecordSchema.parse((await h.submit(signed)).body).counters.targeted).toBe(1);
      await waitFor(async () => (await action(signed.id)).status === 'completed', 'the hunt answered', 20_000);
      const commands = CommandListSchema.parse((await h.api('GET', `/actions/${signed.id}/commands`)).body).commands;
      expect(commands.map((c) => `${c.agentId}:${c.status}`)).toEqual([`${agent.agentId}:success`]);
    } finally {
      await agent.close();
      rmSync(agentDir, { recursive: true, force: true });
    }
  });

  it('an accepted agent without a Mosquitto login (enrolled on the embedded broker, or the login lost) gets it back by enrolling again', async () => {
    await start();
    const first = await agent('mosq-migrated');
    await first.close();
    const admin = await connectClient(mosquitto.url, {
      clientId: 'test-admin',
      username: ADMIN_USER,
      password: mosquitto.adminPassword,
      clean: true,
    });
    try {
      await (await dynsecAdmin(admin)).setAgentEnabled(first.id, false);
    } finally {
      await admin.endAsync(true);
    }
    const identity = fakeIdentity('mosq-migrated');
    await expect(FakeAgent.login(mosquitto.url, identity, { username: identity.id })).rejects.toThrow(
      /Not authorized|Bad username/i,
    );
    // What the agent does when its login is refused (agent/link.ts): enroll again, same key and password.
    await agent('mosq-migrated');
  });

  it('a pending agent cannot log in until an admin accepts it, then can', async () => {
    await start({ autoAccept: false });
    const identity = fakeIdentity('mosq-pending');
    expect((await FakeAgent.enroll(mosquitto.url, h.server.enrollmentSecret, fakeEnrollRequest(identity))).state).toBe(
      'pending',
    );
    await expect(FakeAgent.login(mosquitto.url, identity, { username: identity.id })).rejects.toThrow(
      /Not authorized|Bad username/i,
    );

    expect((await h.api('POST', `/agents/${identity.id}/accept`)).status).toBe(200);
    await waitFor(
      () =>
        FakeAgent.login(mosquitto.url, identity, { username: identity.id }).then(
          (a) => (h.track(a), true),
          () => false,
        ),
      'the login enabled by the acceptance',
    );
  });

  it("an agent can neither read another agent's commands nor publish as another agent", async () => {
    await start();
    const a = await agent('mosq-victim');
    const b = await agent('mosq-intruder');

    expect(await grants(b.client, [commandsTopic(a.id), commandsTopic('+'), 'mig/#', '#'])).toEqual([
      128, 128, 128, 128,
    ]);

    const signed = await signedAction(['alice']);
    await h.submit(signed);
    await waitFor(() => a.commands.length === 1 && b.commands.length === 1, 'both commands');
    // B answers A's command on A's topic (dropped by Mosquitto), then its own (delivered in order after it).
    await b
      .answer(a.commands[0]?.commandId ?? '', { actionId: signed.id, isFound: true, sign: (m) => m })
      .catch(() => undefined);
    await b.publishRaw(resultsTopic(a.id), JSON.stringify({ forged: true }));
    await b.answer(b.commands[0]?.commandId ?? '', { actionId: signed.id });
    await waitFor(async () => (await action(signed.id)).counters.done === 1, "B's own result");
    const record = await action(signed.id);
    expect(record.counters).toMatchObject({ done: 1, found: 0 });
    expect(b.commands).toHaveLength(1);
  });

  it("refuses an answer moved from another agent or changed after signing; the agent's own answer lands", async () => {
    // What a broker run by someone else could do (moving or changing messages), played by the
    // agent publishing on its own topic: through an external broker the server verifies every
    // signature (broker/scheduler/answer-signature.ts), where its own broker would not need to.
    await start();
    const other = fakeIdentity('mosq-signer');
    const b = await agent('mosq-answerer');
    const mine: AnswerSigner = { agentId: b.id, privateKey: b.identity.privateKey, publicKey: b.identity.publicKey };
    const signed = await signedAction(['alice']);
    await h.submit(signed);
    await waitFor(() => b.commands.length === 1, 'the command');
    const commandId = b.commands[0]?.commandId ?? '';
    await b.answer(commandId, { actionId: signed.id, sign: (m) => signResult(m, { ...other, agentId: other.id }) });
    await b.answer(commandId, { actionId: signed.id, sign: (m) => ({ ...signResult(m, mine), status: 'failed' }) });
    await waitFor(
      () => h.logs.filter((l) => l.includes('signature does not hold')).length === 2,
      'both refusals logged',
    );
    expect((await action(signed.id)).counters).toMatchObject({ done: 0 });

    await b.answer(commandId, { actionId: signed.id, isFound: true, sign: (m) => signResult(m, mine) });
    await waitFor(async () => (await action(signed.id)).status === 'completed', "the agent's own answer");
    const [record] = CommandListSchema.parse((await h.api('GET', `/actions/${signed.id}/commands`)).body).commands;
    expect(record).toMatchObject({ status: 'success', isFound: true });
    expect(record === undefined ? undefined : verifyStoredAnswer(record)).toEqual({ ok: true });
  });

  it('an enrollment login can only publish requests and read one status; a stranger cannot connect', async () => {
    await start();
    const enrollee = await connectClient(mosquitto.url, {
      clientId: enrollClientId('mosq-x'),
      username: ENROLL_USERNAME,
      password: h.server.enrollmentSecret,
      clean: true,
    });
    try {
      expect(
        await grants(enrollee, [
          commandsTopic('mosq-x'),
          commandsTopic('+'),
          enrollRequestTopic('+'),
          enrollStatusTopic('+'),
          'mig/#',
        ]),
      ).toEqual([128, 128, 128, 128, 128]);
      expect(await grants(enrollee, [enrollStatusTopic('mosq-x')])).toEqual([1]);
    } finally {
      await enrollee.endAsync(true);
    }
    const stranger = fakeIdentity('mosq-stranger');
    await expect(FakeAgent.login(mosquitto.url, stranger, { username: stranger.id })).rejects.toThrow(
      /Not authorized|Bad username/i,
    );
    await expect(connectClient(mosquitto.url, { clientId: 'anon-1', clean: true })).rejects.toThrow(
      /Not authorized|Bad username/i,
    );
  });

  it('keeps results across a restart of Mosquitto: none lost, none run twice', async () => {
    await start();
    const a = await agent('mosq-restart');
    const signed = await signedAction(['alice']);
    await h.submit(signed);
    await waitFor(() => a.commands.length === 1, 'the command');
    const commandId = a.commands[0]?.commandId ?? '';

    await mosquitto.stop();
    // The agent's result waits in its own outgoing store while the broker is down.
    const answered = a.answer(commandId, { actionId: signed.id, isFound: true });
    await mosquitto.run();
    const back = h.track(await FakeAgent.login(mosquitto.url, fakeIdentity('mosq-restart'), { username: a.id }));
    await back.answer(commandId, { actionId: signed.id, isFound: true });
    void answered.catch(() => undefined);
    await waitFor(async () => (await action(signed.id)).status === 'completed', 'the result after the restart', 15_000);
    expect((await action(signed.id)).counters).toMatchObject({ targeted: 1, sent: 1, done: 1, success: 1 });
    // The server's session survived: nothing was published to the agent again.
    expect(back.commands.filter((c) => c.commandId === commandId).length).toBeLessThanOrEqual(1);
  });
});
