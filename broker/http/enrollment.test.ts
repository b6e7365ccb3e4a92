import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AcceptedAgentsSchema, AgentListSchema, AgentRecordSchema } from '../../protocol/api.js';
import { armoredPublicKey } from '../../test/helpers/keys.js';
import { FakeAgent, connectClient } from '../../test/helpers/broker/fake-agent.js';
import { fakeEnrollRequest, fakeIdentity } from '../../test/helpers/broker/fake-identity.js';
import { ServerHarness, errorCode, waitFor } from '../../test/helpers/broker/harness.js';

let h: ServerHarness;
beforeEach(async () => {
  h = new ServerHarness();
  await h.start({ autoAccept: false });
  expect(
    (await h.api('POST', '/investigators', { body: { name: 'bob', publicKey: armoredPublicKey('bob') } })).status,
  ).toBe(201);
});
afterEach(async () => {
  await h.teardown();
});

const enroll = (label: string) =>
  FakeAgent.enroll(h.server.mqttUrl, h.server.enrollmentSecret, fakeEnrollRequest(fakeIdentity(label)));
const pending = async (): Promise<string[]> =>
  AgentListSchema.parse((await h.api('GET', '/agents/pending', { as: 'bob' })).body)
    .agents.map((a) => a.name)
    .sort();

describe('enrollment policy over the API', () => {
  it('keeps new agents pending until an admin accepts; investigators may look, only admins decide', async () => {
    expect(await enroll('web-1')).toMatchObject({ state: 'pending' });
    expect(await enroll('web-2')).toMatchObject({ state: 'pending' });
    // Asking again changes nothing (and writes nothing).
    expect(await enroll('web-1')).toMatchObject({ state: 'pending' });
    expect(await pending()).toEqual(['web-1', 'web-2']);
    expect(AgentListSchema.parse((await h.api('GET', '/agents')).body).total).toBe(0);

    const id = fakeIdentity('web-1').id;
    const byBob = await h.api('POST', `/agents/${id}/accept`, { as: 'bob' });
    expect({ status: byBob.status, code: errorCode(byBob) }).toEqual({ status: 403, code: 'FORBIDDEN' });
    const byAlice = await h.api('POST', `/agents/${id}/accept`);
    expect(AgentRecordSchema.parse(byAlice.body)).toMatchObject({
      id,
      enrollment: 'accepted',
      publicKey: fakeIdentity('web-1').publicKey,
    });
    expect(byAlice.body).not.toHaveProperty('passwordHash');
    expect(await pending()).toEqual(['web-2']);
    expect(await enroll('web-1')).toMatchObject({ state: 'accepted' });
    expect((await h.api('POST', `/agents/${id}/accept`)).status).toBe(409);

    const all = AcceptedAgentsSchema.parse((await h.api('POST', '/agents/accept-all')).body);
    expect(all.accepted).toEqual([fakeIdentity('web-2').id]);
    const audit = await readFile(join(h.dataDir, 'audit.log'), 'utf8');
    expect(audit.match(/"agent\.accepted"/g)).toHaveLength(2);
  });

  it('tells a waiting agent at once when an admin decides', async () => {
    const identity = fakeIdentity('waiting');
    const answers: string[] = [];
    const client = await connectClient(h.server.mqttUrl, {
      clientId: `mig-enroll-${identity.id}-0badcafe`,
      username: 'mig-enroll',
      password: h.server.enrollmentSecret,
      clean: true,
    });
    try {
      client.on('message', (_t, payload) => answers.push((JSON.parse(payload.toString()) as { state: string }).state));
      await client.subscribeAsync(`mig/enroll/${identity.id}/status`, { qos: 1 });
      await client.publishAsync(`mig/enroll/${identity.id}/request`, JSON.stringify(fakeEnrollRequest(identity)), {
        qos: 1,
      });
      await waitFor(() => answers.length === 1, 'pending');
      expect((await h.api('POST', `/agents/${identity.id}/accept`)).status).toBe(200);
      await waitFor(() => answers.length === 2, 'the decision');
      expect(answers).toEqual(['pending', 'accepted']);
    } finally {
      await client.endAsync(true);
    }
  });

  it('rejects: a pending agent stays out; an accepted one loses its credential and its session', async () => {
    expect(await enroll('bad-1')).toMatchObject({ state: 'pending' });
    const badId = fakeIdentity('bad-1').id;
    expect(AgentRecordSchema.parse((await h.api('POST', `/agents/${badId}/reject`)).body).enrollment).toBe('rejected');
    expect(await enroll('bad-1')).toMatchObject({ state: 'rejected', reason: 'enrollment rejected by an admin' });
    expect(await pending()).toEqual([]);

    expect(await enroll('web-3')).toMatchObject({ state: 'pending' });
    const web3 = fakeIdentity('web-3');
    await h.api('POST', `/agents/${web3.id}/accept`);
    const agent = h.track(await FakeAgent.login(h.server.mqttUrl, web3));
    const closed = new Promise<void>((resolve) => agent.client.once('close', () => resolve()));
    expect((await h.api('POST', `/agents/${web3.id}/reject`)).status).toBe(200);
    await closed;
    await expect(FakeAgent.login(h.server.mqttUrl, web3)).rejects.toMatchObject({ code: 5 });
    const audit = await readFile(join(h.dataDir, 'audit.log'), 'utf8');
    expect(audit.match(/"agent\.rejected"/g)).toHaveLength(2);
  });
});
