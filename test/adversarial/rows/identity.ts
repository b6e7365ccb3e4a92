import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { expect } from 'vitest';
import { publicKeyBase64 } from '../../../protocol/agent-key.js';
import { ActionRecordSchema, AgentListSchema, CommandListSchema } from '../../../protocol/api.js';
import { AGENT_USERNAME, ENROLL_USERNAME, enrollClientId } from '../../../broker/mqtt/credentials.js';
import { AGENT_LOG_FILE } from '../../../broker/store/agent-log.js';
import { FakeAgent, connectClient } from '../../helpers/broker/fake-agent.js';
import { fakeEnrollRequest, fakeIdentity, type FakeIdentity } from '../../helpers/broker/fake-identity.js';
import { ServerHarness, waitFor } from '../../helpers/broker/harness.js';
import type { ServerOptions } from '../../../broker/server.js';
import { ENROLL_LIMITS } from '../../../protocol/enrollment.js';
import { enrollRequestTopic } from '../../../protocol/topics.js';
import { signedAction } from '../../helpers/actions.js';
import type { Attack } from '../attack.js';

/**
 * Attacks on agent identity and enrollment (issue "Trust the fleet", first two bullets). Each
 * row stands up a real server (real Aedes broker, real mqtt clients, real keys) with one honest
 * agent, stages the attack, then proves both halves: nothing the attacker asked for happened
 * (no session, no command, no registry entry), and the honest agent still gets its command and
 * its answer completes the hunt.
 */

interface World {
  h: ServerHarness;
  honest: FakeAgent;
  url: string;
  secret: string;
}

/** A server (auto-accept off unless told) and one honest agent, enrolled and accepted by alice. */
async function world(extra: Partial<ServerOptions> = {}): Promise<World> {
  const h = new ServerHarness();
  await h.start({ autoAccept: false, ...extra });
  const url = h.server.mqttUrl;
  const secret = h.server.enrollmentSecret;
  const identity = fakeIdentity('honest-1');
  const status = await FakeAgent.enroll(url, secret, fakeEnrollRequest(identity));
  if (status.state === 'pending') expect((await h.api('POST', `/agents/${identity.id}/accept`)).status).toBe(200);
  const honest = h.track(await FakeAgent.login(url, identity));
  await honest.heartbeat();
  return { h, honest, url, secret };
}

/** A hunt on `target` (default all): only the honest agent gets a command, and its answer completes it. */
async function honestStillAnswers(w: World, target = 'all'): Promise<void> {
  const action = await signedAction(['alice'], { target });
  const before = w.honest.commands.length;
  const res = await w.h.submit(action);
  expect(res.status).toBe(201);
  expect(ActionRecordSchema.parse(res.body).counters.targeted).toBe(1);
  await waitFor(() => w.honest.commands.length > before, 'the honest agent gets its command');
  await w.honest.answer(w.honest.commands[before]?.commandId ?? '', { isFound: true, actionId: action.id });
  await waitFor(
    async () => ActionRecordSchema.parse((await w.h.api('GET', `/actions/${action.id}`)).body).status === 'completed',
    'the hunt completes',
  );
  const commands = CommandListSchema.parse((await w.h.api('GET', `/actions/${action.id}/commands`)).body).commands;
  expect(commands.map((c) => `${c.agentId}:${c.status}`)).toEqual([`${w.honest.id}:success`]);
}

/** The CONNACK code of a connection attempt (or 'connected', then closed). */
async function connackCode(url: string, opts: Parameters<typeof connectClient>[1]): Promise<number | string> {
  try {
    const client = await connectClient(url, opts);
    await client.endAsync(true);
    return 'connected';
  } catch (err) {
    return (err as { code?: number | string }).code ?? 'no code';
  }
}

/** Runs `body` against a fresh world and always tears it down. */
function inWorld(body: (w: World) => Promise<void>, extra: Partial<ServerOptions> = {}): () => Promise<void> {
  return async () => {
    const w = await world(extra);
    try {
      await body(w);
    } finally {
      await w.h.teardown();
    }
  };
}

function watchClose(client: MqttClient): { closed: () => boolean } {
  let isClosed = false;
  client.on('close', () => (isClosed = true));
  return { closed: () => isClosed };
}

/** A stranger's identity: a fresh key whose id derives from it. */
function strangerIdentity(label: string): FakeIdentity {
  const { privateKey } = generateKeyPairSync('ed25519');
  const base = fakeIdentity(label);
  const publicKey = publicKeyBase64(privateKey);
  const id = `a-${randomBytes(10).toString('hex')}`;
  return { ...base, privateKey, publicKey, id };
}

async function pendingCount(w: World): Promise<number> {
  return AgentListSchema.parse((await w.h.api('GET', '/agents/pending')).body).total;
}

export const identityAttacks: Attack[] = [
  {
    name: "identity: impersonating an enrolled agent's id with the fleet enrollment secret",
    run: inWorld(async (w) => {
      const live = watchClose(w.honest.client);
      expect(
        await connackCode(w.url, { clientId: w.honest.id, username: AGENT_USERNAME, password: w.secret, clean: false }),
      ).toBe(5);
      expect(await connackCode(w.url, { clientId: w.honest.id, username: undefined, password: undefined })).toBe(4);
      expect(w.h.logs.join('\n')).toContain('the enrollment secret does not admit an agent session');
      expect(live.closed()).toBe(false);
      await honestStillAnswers(w);
    }),
  },
  {
    name: 'identity: a duplicate id with other credentials is refused and does not kick the live session',
    run: inWorld(async (w) => {
      const live = watchClose(w.honest.client);
      for (let i = 0; i < 3; i++) {
        expect(
          await connackCode(w.url, {
            clientId: w.honest.id,
            username: AGENT_USERNAME,
            password: randomBytes(32).toString('base64url'),
            clean: false,
          }),
        ).toBe(5);
      }
      expect(
        w.h.logs.filter((l) => l.includes(`refused connection of "${w.honest.id}" (code 5): wrong credential`)),
      ).toHaveLength(3);
      // An enrollment login for the same id cannot take the session over either: its client id differs.
      const enrollee = await connectClient(w.url, {
        clientId: enrollClientId(w.honest.id),
        username: ENROLL_USERNAME,
        password: w.secret,
        clean: true,
      });
      await enrollee.endAsync(true);
      expect(live.closed()).toBe(false);
      expect(w.honest.client.connected).toBe(true);
      await honestStillAnswers(w);
    }),
  },
  {
    name: 'identity: an enrollment flood from one address meets the rate limit and the pending cap; registry and disk stay small',
    timeoutMs: 60_000,
    run: inWorld(
      async (w) => {
        const outcomes = await Promise.all(
          Array.from({ length: 60 }, async (_, i) => {
            const identity = fakeIdentity(`flood-${i}-${randomBytes(4).toString('hex')}`);
            return FakeAgent.enroll(w.url, w.secret, fakeEnrollRequest(identity)).then(
              (status) => status.state,
              (err: { code?: number }) => `refused ${err.code ?? '?'}`,
            );
          }),
        );
        const count = (s: string): number => outcomes.filter((o) => o === s).length;
        // 30 tokens: the honest agent's enrollment took one, 29 floods got in, 31 were refused (CONNACK 3).
        expect(count('refused 3')).toBe(31);
        expect(count('pending')).toBe(20);
        expect(count('rejected')).toBe(9);
        expect(w.h.logs.some((l) => /refused enrollment connection from .* rate limit/.test(l))).toBe(true);
        expect(w.h.logs.some((l) => l.includes('pending enrollments already'))).toBe(true);
        expect(await pendingCount(w)).toBe(20);
        // Nothing flooded the fleet, and disk holds one line per stored record.
        expect(AgentListSchema.parse((await w.h.api('GET', '/agents')).body).agents.map((a) => a.id)).toEqual([
          w.honest.id,
        ]);
        // The harness flushes every 20 ms: honest (pending, accepted) + 20 pending records.
        const logPath = join(w.h.dataDir, AGENT_LOG_FILE);
        await waitFor(
          async () => (await readFile(logPath, 'utf8')).trim().split('\n').length >= 21,
          'the agent log flushed',
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect((await readFile(logPath, 'utf8')).trim().split('\n').length).toBeLessThanOrEqual(23);
        expect((await stat(logPath)).size).toBeLessThan(32 * 1024);
        await honestStillAnswers(w);
      },
      { maxPendingEnrollments: 20, enrollRate: { burst: 30, perSecond: 0.001 } },
    ),
  },
  {
    name: 'identity: oversized registrations (name, tags, facts, payload) are refused and stored nowhere',
    run: inWorld(async (w) => {
      const cases: { label: string; overrides: Parameters<typeof fakeEnrollRequest>[1]; field: string }[] = [
        { label: 'big-name', overrides: { name: 'x'.repeat(300) }, field: 'name' },
        {
          label: 'many-tags',
          overrides: { tags: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, 'v'])) },
          field: 'tags',
        },
        { label: 'long-tag', overrides: { tags: { k: 'v'.repeat(300) } }, field: 'tags' },
        {
          label: 'many-modules',
          overrides: { facts: { modules: Array.from({ length: 100 }, (_, i) => `m${i}`) } },
          field: 'facts.modules',
        },
      ];
      for (const c of cases) {
        const status = await FakeAgent.enroll(w.url, w.secret, fakeEnrollRequest(fakeIdentity(c.label), c.overrides));
        expect(status.state).toBe('rejected');
        expect(status.reason).toContain(c.field);
      }
      // Past the enrollee's payload cap the broker cuts the connection before the server reads anything.
      const identity = fakeIdentity('huge');
      const enrollee = await connectClient(w.url, {
        clientId: enrollClientId(identity.id),
        username: ENROLL_USERNAME,
        password: w.secret,
        clean: true,
      });
      const closed = new Promise<void>((resolve) => enrollee.once('close', () => resolve()));
      enrollee.publish(
        enrollRequestTopic(identity.id),
        JSON.stringify(fakeEnrollRequest(identity)) + ' '.repeat(ENROLL_LIMITS.maxRequestBytes),
        { qos: 1 },
      );
      await closed;
      await enrollee.endAsync(true);
      expect(
        w.h.logs.some((l) => l.includes('payload of') && l.includes(`the limit is ${ENROLL_LIMITS.maxRequestBytes}`)),
      ).toBe(true);
      expect(await pendingCount(w)).toBe(0);
      for (const label of [...cases.map((c) => c.label), 'huge'])
        expect((await w.h.api('GET', `/agents/${fakeIdentity(label).id}`)).status).toBe(404);
      await honestStillAnswers(w);
    }),
  },
  {
    name: "identity: an enrollment for an id its key does not derive (a stranger id, or an enrolled agent's) is rejected",
    run: inWorld(async (w) => {
      const stranger = strangerIdentity('stranger');
      const asStranger = await FakeAgent.enroll(w.url, w.secret, fakeEnrollRequest(stranger));
      expect(asStranger).toMatchObject({ state: 'rejected', reason: expect.stringContaining('does not derive') });
      const thief = { ...strangerIdentity('thief'), id: w.honest.id };
      const asHonest = await FakeAgent.enroll(w.url, w.secret, fakeEnrollRequest(thief));
      expect(asHonest).toMatchObject({
        state: 'rejected',
        reason: expect.stringContaining('another key is already bound'),
      });
      // A request signed by one key but carrying another's public key fails proof of possession.
      const forged = { ...fakeEnrollRequest(fakeIdentity('forged')), publicKey: stranger.publicKey };
      expect(await FakeAgent.enroll(w.url, w.secret, forged)).toMatchObject({ state: 'rejected' });
      // None of them got a credential: the thief's password does not open the honest id.
      expect(
        await connackCode(w.url, { clientId: w.honest.id, username: AGENT_USERNAME, password: thief.password }),
      ).toBe(5);
      expect(
        await connackCode(w.url, { clientId: stranger.id, username: AGENT_USERNAME, password: stranger.password }),
      ).toBe(5);
      expect(await pendingCount(w)).toBe(0);
      await honestStillAnswers(w);
    }),
  },
  {
    name: 'identity: a pending (unaccepted) agent is never targeted, waited for, or let in',
    run: inWorld(async (w) => {
      const waiting = fakeIdentity('waiting-1');
      expect(
        (await FakeAgent.enroll(w.url, w.secret, fakeEnrollRequest(waiting, { tags: { role: 'web' } }))).state,
      ).toBe('pending');
      expect(await pendingCount(w)).toBe(1);
      expect(
        await connackCode(w.url, { clientId: waiting.id, username: AGENT_USERNAME, password: waiting.password }),
      ).toBe(5);
      expect(AgentListSchema.parse((await w.h.api('GET', '/agents')).body).agents.map((a) => a.id)).toEqual([
        w.honest.id,
      ]);
      // "all" and a target naming the pending agent alone both leave it out.
      await honestStillAnswers(w);
      const named = await w.h.submit(await signedAction(['alice'], { target: `id = '${waiting.id}'` }));
      expect(ActionRecordSchema.parse(named.body)).toMatchObject({ status: 'completed', counters: { targeted: 0 } });
    }),
  },
];
