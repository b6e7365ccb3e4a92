import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActionRecordSchema, AgentRecordSchema, CommandListSchema } from '../../protocol/api.js';
import { signedAction } from '../../test/helpers/actions.js';
import { armoredPublicKey, publicKeyPath } from '../../test/helpers/keys.js';
import { signedPolicyText } from '../../test/helpers/policy.js';
import { startMig, type MigProcess } from '../../test/helpers/mig-process.js';
import { postgresUnavailableReason, startTestPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { ServerHarness, waitFor } from '../../test/helpers/broker/harness.js';
import { storedAgent } from '../../test/helpers/broker/stored-agent.js';
import { emptyCounters } from '../scheduler/counters.js';
import { PostgresStore } from './postgres-store.js';

/**
 * Several servers on one PostgreSQL store (fleet-sync.ts): what one server learns, the other
 * learns within a poll, and the open actions of a server killed with -9 are taken over.
 */
const unavailable = postgresUnavailableReason();

if (unavailable === undefined) {
  let cluster: TestPostgres;
  const harnesses: ServerHarness[] = [];
  const children: MigProcess[] = [];
  const dirs: string[] = [];
  const harness = (): ServerHarness => {
    const h = new ServerHarness();
    harnesses.push(h);
    return h;
  };
  /** Servers A and B on one fresh database, each reading the other's writes every 50 ms. */
  const twoServers = async (database: string): Promise<[ServerHarness, ServerHarness]> => {
    const storeUrl = await cluster.createDatabase(database);
    const a = harness();
    const b = harness();
    await a.start({ storeUrl, syncMs: 50 });
    await b.start({ storeUrl, syncMs: 50 });
    return [a, b];
  };
  beforeAll(async () => {
    cluster = await startTestPostgres();
  });
  afterAll(() => cluster.stop());
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop('SIGKILL')));
    await Promise.all(harnesses.splice(0).map((h) => h.teardown()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  describe('several mig servers on one PostgreSQL store', () => {
    it('targets from server B an agent enrolled and accepted on server A, and accepts actions B learnt the signer of from A', async () => {
      const [a, b] = await twoServers('fleet_learns');
      const agent = await a.agent('agent-a');
      await waitFor(
        async () => (await b.api('GET', `/agents/${agent.id}`)).status === 200,
        'server B to know the agent accepted on A',
      );
      expect(AgentRecordSchema.parse((await b.api('GET', `/agents/${agent.id}`)).body)).toMatchObject({
        enrollment: 'accepted',
        status: 'online',
      });

      // Bob is enrolled on A only; B learns him from the store.
      expect(
        (
          await a.api('POST', '/investigators', {
            body: { name: 'bob', publicKey: armoredPublicKey('bob'), isAdmin: false },
          })
        ).status,
      ).toBe(201);
      const byBob = await signedAction(['bob']);
      await waitFor(async () => (await b.api('GET', '/me', { as: 'bob' })).status === 200, 'server B to know bob');
      const submitted = await b.submit(byBob, 'bob');
      expect(submitted.status).toBe(201);
      expect(ActionRecordSchema.parse(submitted.body).counters.targeted).toBe(1);
      const commands = CommandListSchema.parse((await a.api('GET', `/actions/${byBob.id}/commands`)).body).commands;
      expect(commands.map((c) => c.agentId)).toEqual([agent.id]);
    });

    it('publishes on server B the policy bundles published through server A, in order', async () => {
      const [a, b] = await twoServers('fleet_policy');
      for (const version of [1, 2]) {
        expect((await a.api('POST', '/policy', { body: { bundle: await signedPolicyText({ version }) } })).status).toBe(
          201,
        );
      }
      const versionOn = async (h: ServerHarness): Promise<number | undefined> =>
        ((await h.api('GET', '/policy')).body as { current?: { version: number } }).current?.version;
      await waitFor(async () => (await versionOn(b)) === 2, 'server B to publish version 2');
      expect(b.logs.filter((l) => /published by another server/.test(l))).toHaveLength(2);
    });

    it('keeps the newest record of an agent whichever server writes last, and lists what changed since a cursor', async () => {
      const url = await cluster.createDatabase('fleet_newest');
      const s1 = await PostgresStore.open({ url, serverId: 'server-1' });
      const s2 = await PostgresStore.open({ url, serverId: 'server-2' });
      try {
        const { cursor } = await s1.fleet.agentsChangedSince(undefined);
        await s1.saveAgent(storedAgent({ lastHeartbeatAt: '2026-01-01T00:02:00.000Z', tags: { seen: 'by 1, later' } }));
        // Server 2 heard the agent earlier and writes its older view back: dropped.
        await s2.saveAgent(
          storedAgent({ lastHeartbeatAt: '2026-01-01T00:01:00.000Z', tags: { seen: 'by 2, earlier' } }),
        );
        expect((await s2.listAgents()).map((a) => a.tags)).toEqual([{ seen: 'by 1, later' }]);
        // An admin's decision wins over a later heartbeat of the stale view.
        await s2.saveAgent(
          storedAgent({
            lastHeartbeatAt: '2026-01-01T00:01:00.000Z',
            enrollment: 'rejected',
            decidedAt: '2026-01-01T00:03:00.000Z',
            decidedBy: 'alice',
          }),
        );
        await s1.saveAgent(
          storedAgent({
            lastHeartbeatAt: '2026-01-01T00:04:00.000Z',
            enrollment: 'accepted',
            decidedAt: '2026-01-01T00:00:30.000Z',
            decidedBy: 'auto-accept',
          }),
        );
        const changed = await s1.fleet.agentsChangedSince(cursor);
        expect(changed.agents.map((a) => a.enrollment)).toEqual(['rejected']);
      } finally {
        await Promise.all([s1.close(), s2.close()]);
      }
    });

    it('gives a dead server to one live server to clean up after, once per death', async () => {
      const url = await cluster.createDatabase('fleet_dead');
      const [s1, s2, s3] = await Promise.all(
        ['server-1', 'server-2', 'server-3'].map((serverId) => PostgresStore.open({ url, serverId })),
      );
      if (s1 === undefined || s2 === undefined || s3 === undefined) throw new Error('three stores');
      try {
        await s1.fleet.renewLease(1);
        await s2.fleet.renewLease(60_000);
        await s3.fleet.renewLease(60_000);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const claims = await Promise.all([s2.fleet.claimDeadServers(), s3.fleet.claimDeadServers()]);
        expect(claims.flat()).toEqual(['server-1']);
        expect(await s2.fleet.claimDeadServers()).toEqual([]);
        // Back, then dead again: swept again.
        await s1.fleet.renewLease(1);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await s3.fleet.claimDeadServers()).toEqual(['server-1']);
      } finally {
        await Promise.all([s1.close(), s2.close(), s3.close()]);
      }
    });

    it('lets one server only launch an action, unless that one died', async () => {
      const url = await cluster.createDatabase('fleet_launch');
      const [s1, s2] = await Promise.all(
        ['server-1', 'server-2'].map((serverId) => PostgresStore.open({ url, serverId })),
      );
      if (s1 === undefined || s2 === undefined) throw new Error('two stores');
      try {
        const action = await signedAction(['alice']);
        await s1.createAction({
          action,
          status: 'pending',
          investigators: [],
          counters: emptyCounters(),
          createdAt: new Date().toISOString(),
        });
        await s1.fleet.renewLease(60_000);
        await s2.fleet.renewLease(60_000);
        // At once: exactly one wins.
        expect(
          (await Promise.all([s1.fleet.claimLaunch(action.id), s2.fleet.claimLaunch(action.id)])).filter(Boolean),
        ).toHaveLength(1);
        const second = await signedAction(['alice']);
        await s1.createAction({
          action: second,
          status: 'pending',
          investigators: [],
          counters: emptyCounters(),
          createdAt: new Date().toISOString(),
        });
        expect(await s1.fleet.claimLaunch(second.id)).toBe(true);
        expect(await s2.fleet.claimLaunch(second.id)).toBe(false);
        expect(await s1.fleet.claimLaunch(second.id)).toBe(true);
        await s1.fleet.releaseLease();
        expect(await s2.fleet.claimLaunch(second.id)).toBe(true);
      } finally {
        await Promise.all([s1.close(), s2.close()]);
      }
    });

    it('takes over the actions of a server killed with -9: redelivers, completes, expires, and runs nothing twice', async () => {
      const storeUrl = await cluster.createDatabase('fleet_takeover');
      const home = await mkdtemp(join(tmpdir(), 'mig-fleet-'));
      dirs.push(home);
      // A: a real `mig server` process with a short lease, so its death is noticed within seconds.
      // Alike on purpose (duplicates): a real `mig server` command line, with this test's own lease, spelled out.
      const a = startMig(
        [
          'server',
          '--store',
          storeUrl,
          '--data-dir',
          join(home, 'a'),
          '--http-port',
          '0',
          '--mqtt-port',
          '0',
          '--admin-key',
          publicKeyPath('alice'),
          '--auto-accept',
          '--lease-ms',
          '3000',
        ],
        { MIG_HOME: home },
      );
      children.push(a);
      const aUrl = (await a.waitFor(/api:\s+(\S+)/, 60_000))[1] ?? '';
      // B runs in this process; the agents connect to B's broker, so commands A publishes reach nobody.
      const b = harness();
      await b.start({ storeUrl, syncMs: 100 });
      const one = await b.agent('agent-1');
      const two = await b.agent('agent-2');
      const callA = async (path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
        const res = await fetch(`${aUrl}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: {
            authorization: await b.token('alice'),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: (await res.json()) as unknown };
      };
      await waitFor(
        async () => (await callA(`/agents/${two.id}`)).status === 200,
        'server A to know both agents',
        20_000,
      );

      const completes = await signedAction(['alice'], { now: b.clock.now() });
      const expires = await signedAction(['alice'], { now: b.clock.now() });
      for (const action of [completes, expires]) {
        const res = await callA('/actions', action);
        expect(res.status).toBe(201);
        expect(ActionRecordSchema.parse(res.body)).toMatchObject({ status: 'inflight', counters: { targeted: 2 } });
      }
      expect(one.commands).toHaveLength(0);
      a.child.kill('SIGKILL');
      await a.exited;

      // B takes both over once A's lease has run out, and sends their commands again.
      const distinct = (agent: typeof one): number => new Set(agent.commands.map((c) => c.commandId)).size;
      await waitFor(
        () => distinct(one) === 2 && distinct(two) === 2,
        'server B to redeliver the commands of A',
        20_000,
      );
      const idOf = (agent: typeof one, actionId: string): string =>
        agent.commands.find((c) => (JSON.parse(c.action) as { id: string }).id === actionId)?.commandId ?? '';
      await one.answer(idOf(one, completes.id), { isFound: true });
      await two.answer(idOf(two, completes.id));
      await one.answer(idOf(one, expires.id));
      const onB = async (id: string) => ActionRecordSchema.parse((await b.api('GET', `/actions/${id}`)).body);
      await waitFor(async () => (await onB(completes.id)).status === 'completed', 'the first action to complete on B');
      expect((await onB(completes.id)).counters).toMatchObject({ targeted: 2, success: 2, done: 2, found: 1 });

      await waitFor(async () => (await onB(expires.id)).counters.success === 1, 'the answer to the second action');
      b.clock.advance(10 * 60_000);
      await waitFor(
        async () => (await onB(expires.id)).status === 'expired',
        'server B to expire the second action at its expireAfter',
      );
      expect((await onB(expires.id)).counters).toMatchObject({ targeted: 2, success: 1, expired: 1, done: 2 });
      // One command per agent and action, each answered once and counted once.
      expect([distinct(one), distinct(two)]).toEqual([2, 2]);
      const commands = CommandListSchema.parse((await b.api('GET', `/actions/${completes.id}/commands`)).body).commands;
      expect(commands.map((c) => c.status)).toEqual(['success', 'success']);
    }, 120_000);
  });
} else {
  console.warn(
    `\n!!! several mig servers on PostgreSQL SKIPPED: ${unavailable}\n!!! Install it (apt-get install postgresql) to run it.\n`,
  );
  describe(`several mig servers on one PostgreSQL store (SKIPPED: ${unavailable})`, () => {
    it.skip(`needs PostgreSQL: ${unavailable}`, () => undefined);
  });
}
