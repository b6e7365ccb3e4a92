import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolicyOutcomeSchema, PolicyViewSchema } from '../../protocol/policy-api.js';
import { armoredPublicKey, fingerprint } from '../../test/helpers/keys.js';
import { policySignature, signedPolicyText, unsignedPolicy } from '../../test/helpers/policy.js';
import type { FakeAgent } from '../../test/helpers/broker/fake-agent.js';
import { errorCode, ServerHarness, waitFor } from '../../test/helpers/broker/harness.js';

let h: ServerHarness;
beforeEach(() => {
  h = new ServerHarness();
});
afterEach(async () => {
  await h.teardown();
});

/** Policy bundles the fake agent received on its commands topic. */
function policiesOf(agent: FakeAgent): number[] {
  const versions: number[] = [];
  agent.client.on('message', (_topic, payload) => {
    const msg = JSON.parse(payload.toString()) as { kind?: string; bundle?: string };
    if (msg.kind === 'policy' && msg.bundle !== undefined)
      versions.push((JSON.parse(msg.bundle) as { version: number }).version);
  });
  return versions;
}

async function agentJson(): Promise<{ admins?: { keys: { name: string }[]; threshold: number } }> {
  return JSON.parse(await readFile(join(h.dataDir, 'agent.json'), 'utf8')) as {
    admins?: { keys: { name: string }[]; threshold: number };
  };
}

describe('policy bundles on the server', () => {
  it('publishes a bundle signed by an admin, stores it and pushes it to connected agents', async () => {
    await h.start();
    const agent = await h.agent('agent-a', { policyVersion: 0 });
    const received = policiesOf(agent);
    expect((await agentJson()).admins).toMatchObject({ keys: [{ name: 'alice' }], threshold: 1 });
    expect(PolicyViewSchema.parse((await h.api('GET', '/policy')).body)).toMatchObject({
      trust: { version: 0, admins: { fingerprints: [await fingerprint('alice')] } },
    });

    const text = await signedPolicyText({ version: 1 });
    const res = await h.api('POST', '/policy', { body: { bundle: text } });

    expect(res.status).toBe(201);
    expect(PolicyOutcomeSchema.parse(res.body)).toMatchObject({ status: 'published', version: 1, pushedTo: 1 });
    await waitFor(() => received.length === 1, 'the pushed bundle');
    expect(received).toEqual([1]);
    expect(await readFile(join(h.dataDir, 'policy.json'), 'utf8')).toBe(text);
    const view = PolicyViewSchema.parse((await h.api('GET', '/policy', { as: 'alice' })).body);
    expect(view.current).toMatchObject({ version: 1, bundle: text, signers: [await fingerprint('alice')] });

    // A restart keeps it.
    await h.stop();
    await h.start();
    expect(PolicyViewSchema.parse((await h.api('GET', '/policy')).body).current?.version).toBe(1);
  });

  it('refuses rollbacks, bundles signed by non-admins, and posts by non-admins; nothing is pushed', async () => {
    await h.start();
    expect(
      (await h.api('POST', '/investigators', { body: { name: 'bob', publicKey: armoredPublicKey('bob') } })).status,
    ).toBe(201);
    const agent = await h.agent('agent-a', { policyVersion: 0 });
    const received = policiesOf(agent);
    expect((await h.api('POST', '/policy', { body: { bundle: await signedPolicyText({ version: 2 }) } })).status).toBe(
      201,
    );

    const refusals = [
      { as: 'alice' as const, text: await signedPolicyText({ version: 1 }), status: 409, code: 'POLICY_ROLLBACK' },
      { as: 'alice' as const, text: await signedPolicyText({ version: 2 }), status: 409, code: 'POLICY_ROLLBACK' },
      {
        as: 'alice' as const,
        text: await signedPolicyText({ version: 3, signers: ['mallory'] }),
        status: 403,
        code: 'POLICY_UNDER_SIGNED',
      },
      {
        as: 'alice' as const,
        text: await signedPolicyText({ version: 3, signers: ['alice', 'bob'] }),
        status: 403,
        code: 'POLICY_UNDER_SIGNED',
      },
      { as: 'alice' as const, text: '{"v":1}', status: 400, code: 'POLICY_INVALID' },
      { as: 'bob' as const, text: await signedPolicyText({ version: 3 }), status: 403, code: 'FORBIDDEN' },
    ];
    for (const r of refusals) {
      const res = await h.api('POST', '/policy', { as: r.as, body: { bundle: r.text } });
      expect({ status: res.status, code: errorCode(res) }).toEqual({ status: r.status, code: r.code });
    }
    expect(PolicyViewSchema.parse((await h.api('GET', '/policy')).body)).toMatchObject({ current: { version: 2 } });
    await waitFor(() => received.length === 1, 'the one good push');
    // Honest operation continues: the next good bundle goes out.
    expect((await h.api('POST', '/policy', { body: { bundle: await signedPolicyText({ version: 3 }) } })).status).toBe(
      201,
    );
    await waitFor(() => received.length === 2, 'the next good push');
    expect(received).toEqual([2, 3]);
  });

  it('keeps a bundle below the threshold pending until another admin co-signs it', async () => {
    await h.start({ policyThreshold: 2 });
    expect(
      (
        await h.api('POST', '/investigators', {
          body: { name: 'bob', publicKey: armoredPublicKey('bob'), isAdmin: true },
        })
      ).status,
    ).toBe(201);
    // At once: the server answers only after agent.json holds the change.
    expect((await agentJson()).admins?.threshold).toBe(2);
    const agent = await h.agent('agent-a', { policyVersion: 0 });
    const received = policiesOf(agent);
    const bundle = await unsignedPolicy({ version: 1, admins: ['alice', 'bob'], threshold: 2 });
    const byAlice = JSON.stringify({ ...bundle, signatures: [await policySignature(bundle, 'alice')] });

    const first = await h.api('POST', '/policy', { body: { bundle: byAlice } });
    expect(first.status).toBe(202);
    expect(PolicyOutcomeSchema.parse(first.body)).toMatchObject({
      status: 'pending',
      signers: [await fingerprint('alice')],
    });
    expect(PolicyViewSchema.parse((await h.api('GET', '/policy')).body)).toMatchObject({ pending: { version: 1 } });

    const again = await h.api('POST', '/policy/signatures', {
      body: { version: 1, signature: await policySignature(bundle, 'alice') },
    });
    expect({ status: again.status, code: errorCode(again) }).toEqual({ status: 409, code: 'CONFLICT' });
    const wrongVersion = await h.api('POST', '/policy/signatures', {
      as: 'bob',
      body: { version: 2, signature: await policySignature(bundle, 'bob') },
    });
    expect(wrongVersion.status).toBe(409);
    expect(received).toEqual([]);

    const second = await h.api('POST', '/policy/signatures', {
      as: 'bob',
      body: { version: 1, signature: await policySignature(bundle, 'bob') },
    });
    expect(second.status).toBe(200);
    expect(PolicyOutcomeSchema.parse(second.body)).toMatchObject({ status: 'published', version: 1, pushedTo: 1 });
    await waitFor(() => received.length === 1, 'the pushed bundle');
    const view = PolicyViewSchema.parse((await h.api('GET', '/policy')).body);
    expect(view.pending).toBeUndefined();
    expect(view.current?.signers.sort()).toEqual([await fingerprint('alice'), await fingerprint('bob')].sort());
  });

  it('pushes to an agent whose heartbeat reports an older version, at most once per version every few seconds', async () => {
    await h.start({ policyRepushMs: 5000 });
    expect((await h.api('POST', '/policy', { body: { bundle: await signedPolicyText({ version: 1 }) } })).status).toBe(
      201,
    );
    const agent = await h.agent('agent-b', false);
    const received = policiesOf(agent);
    await agent.heartbeat({ policyVersion: 0 });
    await waitFor(() => received.length === 1, 'the push after the first heartbeat');

    await agent.heartbeat({ policyVersion: 0 });
    await agent.heartbeat({ policyVersion: 0 });
    h.clock.advance(6000);
    await agent.heartbeat({ policyVersion: 0 });
    await waitFor(() => received.length === 2, 'the push once the interval passed');
    // Messages on one topic arrive in order: the two heartbeats in between pushed nothing.
    expect(received).toEqual([1, 1]);

    h.clock.advance(6000);
    await agent.heartbeat({ policyVersion: 1 });
    const older = await h.agent('agent-old', false);
    const oldReceived = policiesOf(older);
    await older.heartbeat();
    await waitFor(
      async () => (await h.api('GET', `/agents/${older.id}`)).status === 200,
      'the older agent to be known',
    );
    h.clock.advance(6000);
    await agent.heartbeat({ policyVersion: 0 });
    await waitFor(() => received.length === 3, 'the push to the lagging agent');
    expect(oldReceived).toEqual([]); // an agent that reports no version (older) gets nothing
    const listed = (await h.api('GET', `/agents/${agent.id}`)).body as { policyVersion?: number };
    expect(listed.policyVersion).toBe(0);
  });
});
