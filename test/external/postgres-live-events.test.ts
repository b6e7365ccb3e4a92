import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LiveEventSchema, type LiveEvent } from '../../protocol/api.js';
import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import { LIVE_CHANNEL } from '../../broker/store/postgres-live.js';
import { signedAction } from '../helpers/actions.js';
import { readEventBlocks } from '../helpers/broker/event-stream.js';
import { FakeAgent } from '../helpers/broker/fake-agent.js';
import { fakeEnrollRequest, fakeIdentity } from '../helpers/broker/fake-identity.js';
import { ServerHarness, waitFor } from '../helpers/broker/harness.js';
import { ADMIN_USER, MosquittoFixture, mosquittoMissing } from '../helpers/broker/mosquitto-fixture.js';
import { postgresUnavailableReason, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * Live events across two servers on one PostgreSQL store (broker/store/postgres-live.ts): a
 * console following server B sees the results of a hunt launched through server A, whichever
 * server stored them, and neither server shows a result twice.
 */
const unavailable = postgresUnavailableReason();
if (unavailable !== undefined)
  console.warn(
    `\n!!! test/external/postgres-live-events.test.ts SKIPPED: ${unavailable}\n!!! Install it (apt-get install postgresql) to run it.\n`,
  );
const noMosquitto = unavailable ?? mosquittoMissing();
if (noMosquitto !== undefined && unavailable === undefined)
  console.warn(
    `\n!!! test/external/postgres-live-events.test.ts, shared results on Mosquitto SKIPPED: ${noMosquitto}\n!!! Install it (apt-get install mosquitto) to run it.\n`,
  );

/** GET /events on a harness's server, every event kept in order until `stop`. */
async function follow(h: ServerHarness): Promise<{ events: LiveEvent[]; stop: () => Promise<void> }> {
  const controller = new AbortController();
  const res = await fetch(`${h.server.httpUrl}/events`, {
    headers: { authorization: await h.token('alice') },
    signal: controller.signal,
  });
  const events: LiveEvent[] = [];
  const reading = readEventBlocks(res, (block) => {
    if (block.startsWith('data: ')) events.push(LiveEventSchema.parse(JSON.parse(block.slice(6))));
  });
  return {
    events,
    stop: async () => {
      controller.abort();
      await reading;
    },
  };
}

/** How many events said this command was finished. */
const terminalEventsOf = (events: readonly LiveEvent[], commandId: string): number =>
  events.filter(
    (e) => e.type === 'command' && e.command.id === commandId && TERMINAL_COMMAND_STATUSES.has(e.command.status),
  ).length;

const actionStatusSeen = (events: readonly LiveEvent[], actionId: string, status: string): boolean =>
  events.some((e) => e.type === 'action' && e.action.action.id === actionId && e.action.status === status);

describe.skipIf(unavailable !== undefined)('live events across servers on PostgreSQL', () => {
  let cluster: TestPostgres;
  const harnesses: ServerHarness[] = [];
  const streams: Array<{ stop: () => Promise<void> }> = [];
  beforeAll(async () => {
    cluster = await startTestPostgres();
  });
  afterAll(() => cluster.stop());
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.stop()));
    await Promise.all(harnesses.splice(0).map((h) => h.teardown()));
  });

  async function twoServers(database: string): Promise<[ServerHarness, ServerHarness]> {
    const storeUrl = await cluster.createDatabase(database);
    const a = new ServerHarness();
    const b = new ServerHarness();
    harnesses.push(a, b);
    // Events leave each stream at once: a duplicate would not merge into the first in a batch.
    const sseTiming = { batchMs: 1, pingMs: 60_000 };
    await a.start({ storeUrl, syncMs: 50, sseTiming });
    await b.start({ storeUrl, syncMs: 50, sseTiming });
    return [a, b];
  }

  it("server B's stream shows the results of a hunt launched through A and stored by A, each once on either server", async () => {
    const [a, b] = await twoServers('live_across');
    const onA = await follow(a);
    const onB = await follow(b);
    streams.push(onA, onB);
    const agent = await a.agent('live-1');
    const hunt = await signedAction(['alice']);
    expect((await a.submit(hunt)).status).toBe(201);
    await waitFor(() => agent.commands.length === 1, 'the command');
    const commandId = agent.commands[0]?.commandId ?? '';
    await agent.answer(commandId, { isFound: true });

    await waitFor(() => actionStatusSeen(onB.events, hunt.id, 'completed'), "the completed hunt on B's stream");
    const result = onB.events.find(
      (e) => e.type === 'command' && e.command.id === commandId && e.command.status === 'success',
    );
    expect(result?.type === 'command' && result.command.isFound).toBe(true);

    // A barrier: an action created through B reaches A's stream after every notification
    // written before it (PostgreSQL delivers them in commit order), A's own included.
    const later = await signedAction(['alice']);
    expect((await b.submit(later)).status).toBe(201);
    await waitFor(
      () => onA.events.some((e) => e.type === 'action' && e.action.action.id === later.id),
      "B's action on A's stream",
    );
    await waitFor(
      () => onB.events.some((e) => e.type === 'action' && e.action.action.id === later.id),
      "B's action on B's stream",
    );
    expect(terminalEventsOf(onA.events, commandId)).toBe(1);
    expect(terminalEventsOf(onB.events, commandId)).toBe(1);
    expect(actionStatusSeen(onA.events, hunt.id, 'completed')).toBe(true);
  });

  it('drops a notification that is not one of ours, and keeps relaying after it', async () => {
    const [a, b] = await twoServers('live_hostile');
    const onB = await follow(b);
    streams.push(onB);
    const client = new pg.Client({ connectionString: cluster.adminUrl.replace('/postgres', '/live_hostile') });
    await client.connect();
    try {
      await client.query(`SELECT pg_notify($1, $2)`, [LIVE_CHANNEL, 'not json']);
      await client.query(`SELECT pg_notify($1, $2)`, [
        LIVE_CHANNEL,
        JSON.stringify({ s: 'x', k: 'c', ids: ['../etc'] }),
      ]);
    } finally {
      await client.end();
    }
    await waitFor(() => b.logs.filter((l) => /events: dropped a/.test(l)).length === 2, 'both notifications dropped');
    const hunt = await signedAction(['alice']);
    expect((await a.submit(hunt)).status).toBe(201);
    await waitFor(
      () => onB.events.some((e) => e.type === 'action' && e.action.action.id === hunt.id),
      "A's action on B's stream",
    );
  });
});

describe.skipIf(noMosquitto !== undefined)('live events across servers on PostgreSQL and Mosquitto', () => {
  const AGENTS = 8;
  let cluster: TestPostgres;
  let mosquitto: MosquittoFixture;
  const a = new ServerHarness();
  const b = new ServerHarness();
  beforeAll(async () => {
    [cluster, mosquitto] = await Promise.all([startTestPostgres(), MosquittoFixture.start()]);
  });
  afterAll(async () => {
    await Promise.all([a.teardown(), b.teardown()]);
    await Promise.all([mosquitto.teardown(), cluster.stop()]);
  });

  it('both streams show every result of a hunt launched through A once, whether A or B took it from the shared subscription', async () => {
    const storeUrl = await cluster.createDatabase('live_shared');
    const broker = { url: mosquitto.url, username: ADMIN_USER, password: mosquitto.adminPassword, shared: true };
    const sseTiming = { batchMs: 1, pingMs: 60_000 };
    await a.start({ storeUrl, broker, syncMs: 50, sseTiming });
    await b.start({ storeUrl, broker, syncMs: 50, sseTiming, enrollmentSecret: a.server.enrollmentSecret });
    const onA = await follow(a);
    const onB = await follow(b);
    try {
      const agents: FakeAgent[] = [];
      for (let i = 0; i < AGENTS; i++) {
        const identity = fakeIdentity(`live-shared-${i}`);
        expect(
          (await FakeAgent.enroll(mosquitto.url, a.server.enrollmentSecret, fakeEnrollRequest(identity))).state,
        ).toBe('accepted');
        const agent = a.track(await FakeAgent.login(mosquitto.url, identity, { username: identity.id }));
        await agent.heartbeat();
        agents.push(agent);
      }
      await waitFor(
        async () => ((await a.api('GET', '/agents/count')).body as { online?: number }).online === AGENTS,
        'server A to see every agent online',
      );
      const hunt = await signedAction(['alice'], { now: a.clock.now() });
      expect((await a.submit(hunt)).status).toBe(201);
      await waitFor(() => agents.every((g) => g.commands.length === 1), 'every command');
      // Results go to the shared subscription: Mosquitto hands each to server A or server B.
      for (const agent of agents)
        await agent.answer(agent.commands[0]?.commandId ?? '', { isFound: true, actionId: hunt.id });

      for (const [name, stream] of [
        ['A', onA],
        ['B', onB],
      ] as const)
        await waitFor(
          () => actionStatusSeen(stream.events, hunt.id, 'completed'),
          `the completed hunt on ${name}'s stream`,
        );
      // The barrier of the first test, from each side: every earlier notice has been relayed.
      for (const [h, name] of [
        [a, 'A'],
        [b, 'B'],
      ] as const) {
        const later = await signedAction(['alice'], { now: a.clock.now() });
        expect((await h.submit(later)).status).toBe(201);
        for (const stream of [onA, onB])
          await waitFor(
            () => stream.events.some((e) => e.type === 'action' && e.action.action.id === later.id),
            `the barrier action from ${name}`,
          );
      }
      for (const agent of agents) {
        const commandId = agent.commands[0]?.commandId ?? '';
        expect([terminalEventsOf(onA.events, commandId), terminalEventsOf(onB.events, commandId)]).toEqual([1, 1]);
      }
    } finally {
      await Promise.all([onA.stop(), onB.stop()]);
    }
  }, 120_000);
});
