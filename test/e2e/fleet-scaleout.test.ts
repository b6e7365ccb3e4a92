import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_USER, MosquittoFixture, mosquittoMissing } from '../helpers/broker/mosquitto-fixture.js';
import { FakeAgent } from '../helpers/broker/fake-agent.js';
import { fakeEnrollRequest, fakeIdentity } from '../helpers/broker/fake-identity.js';
import { ServerHarness, waitFor } from '../helpers/broker/harness.js';
import { ActionRecordSchema, AgentListSchema, CommandListSchema } from '../../protocol/api.js';
import { CommandMessageSchema } from '../../protocol/messages.js';
import { signedAction } from '../helpers/actions.js';
import { publicKeyPath } from '../helpers/keys.js';
import { startMig, type MigProcess } from '../helpers/mig-process.js';
import { postgresUnavailableReason, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * Issue 12's end to end: Mosquitto + PostgreSQL + two servers + 50 agents. Server A is a real
 * `mig server` process; server B runs in this process. The agents are simulated (FakeAgent on
 * real MQTT, enrolled through Mosquitto with their own logins): 50 real `mig agent` processes
 * would not fit two shared cores. Each keeps a journal as the real agent does: a command id it
 * has run is never run again, its stored answer is published again instead.
 */
const AGENTS = 50;
const missing = mosquittoMissing() ?? postgresUnavailableReason();
if (missing !== undefined)
  console.warn(
    `\n!!! test/e2e/fleet-scaleout.test.ts SKIPPED: ${missing}\n!!! Install mosquitto and postgresql (Debian) to run it.\n`,
  );

/** A simulated agent: runs each command id once, answers it when its gate opens, answers again from its journal. */
class JournalAgent {
  /** Command id → times run (must stay 1). */
  readonly runs = new Map<string, number>();
  private readonly answered = new Set<string>();
  private isGateOpen: boolean;
  private readonly waiting: Array<{ commandId: string; actionId: string }> = [];

  constructor(
    readonly agent: FakeAgent,
    isGateOpen: boolean,
  ) {
    this.isGateOpen = isGateOpen;
    agent.client.on('message', (_topic, payload) => {
      const parsed = CommandMessageSchema.safeParse(JSON.parse(payload.toString()));
      if (!parsed.success) return;
      const commandId = parsed.data.commandId;
      const actionId = (JSON.parse(parsed.data.action) as { id: string }).id;
      if (this.runs.has(commandId)) {
        // A copy of a command it knows: the stored answer again, never a second run.
        if (this.answered.has(commandId)) void this.agent.answer(commandId, { isFound: true, actionId });
        return;
      }
      this.runs.set(commandId, 1);
      if (this.isGateOpen) this.finish(commandId, actionId);
      else this.waiting.push({ commandId, actionId });
    });
  }

  openGate(): void {
    this.isGateOpen = true;
    for (const { commandId, actionId } of this.waiting.splice(0)) this.finish(commandId, actionId);
  }

  private finish(commandId: string, actionId: string): void {
    this.answered.add(commandId);
    void this.agent.answer(commandId, { isFound: true, actionId });
  }
}

describe.skipIf(missing !== undefined)('Mosquitto + PostgreSQL + two servers + 50 agents', () => {
  let mosquitto: MosquittoFixture;
  let cluster: TestPostgres;
  let home: string;
  let a: MigProcess | undefined;
  const b = new ServerHarness();
  beforeAll(async () => {
    [mosquitto, cluster] = await Promise.all([MosquittoFixture.start(), startTestPostgres()]);
    home = await mkdtemp(join(tmpdir(), 'mig-scaleout-'));
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail')
      console.log(
        [
          'server B:',
          ...b.logs.slice(-60),
          'server A:',
          a?.output().slice(-4000) ?? '',
          'mosquitto:',
          ...mosquitto.logs.slice(-40),
        ].join('\n'),
      );
  });
  afterAll(async () => {
    await a?.stop('SIGKILL');
    await b.teardown();
    await Promise.all([mosquitto.teardown(), cluster.stop(), rm(home, { recursive: true, force: true })]);
  });

  it('a hunt launched through A completes with every result readable through B; kill -9 of A mid-hunt loses no result and runs nothing twice', async () => {
    const storeUrl = await cluster.createDatabase('scaleout');
    const enrollmentSecret = randomBytes(24).toString('base64url');
    await writeFile(join(home, 'fleet-secret'), `${enrollmentSecret}\n`, { mode: 0o600 });
    await writeFile(join(home, 'broker-password'), `${mosquitto.adminPassword}\n`, { mode: 0o600 });
    const broker = { url: mosquitto.url, username: ADMIN_USER, password: mosquitto.adminPassword, shared: true };
    await b.start({ storeUrl, broker, enrollmentSecret, syncMs: 100 });
    a = startMig(
      [
        'server',
        '--store',
        storeUrl,
        '--broker',
        mosquitto.url,
        '--broker-user',
        ADMIN_USER,
        '--broker-password-file',
        join(home, 'broker-password'),
        '--broker-shared',
        '--enrollment-secret-file',
        join(home, 'fleet-secret'),
        '--data-dir',
        join(home, 'a'),
        '--http-port',
        '0',
        '--admin-key',
        publicKeyPath('alice'),
        '--auto-accept',
        '--lease-ms',
        '3000',
      ],
      { MIG_HOME: home },
    );
    const aUrl = (await a.waitFor(/api:\s+(\S+)/, 60_000))[1] ?? '';
    const callA = async (
      method: 'GET' | 'POST',
      path: string,
      body?: unknown,
    ): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(`${aUrl}${path}`, {
        method,
        headers: {
          authorization: await b.token('alice'),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };

    // 50 agents enroll through Mosquitto (either server answers: the requests are shared) and log in as themselves.
    const agents: JournalAgent[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const identity = fakeIdentity(`scale-${i}`);
      const status = await FakeAgent.enroll(mosquitto.url, enrollmentSecret, fakeEnrollRequest(identity));
      expect(status.state).toBe('accepted');
      const agent = b.track(await FakeAgent.login(mosquitto.url, identity, { username: identity.id }));
      // The first half answers at once; the second half only after A is killed.
      agents.push(new JournalAgent(agent, i < AGENTS / 2));
      await agent.heartbeat();
    }
    const onlineOn = async (call: () => Promise<{ body: unknown }>): Promise<number> =>
      AgentListSchema.parse((await call()).body).agents.filter((x) => x.status === 'online').length;
    await waitFor(
      async () => (await onlineOn(() => callA('GET', '/agents?limit=1000'))) === AGENTS,
      'server A to see the 50 agents online',
      30_000,
    );
    await waitFor(
      async () => (await onlineOn(() => b.api('GET', '/agents?limit=1000'))) === AGENTS,
      'server B to see the 50 agents online',
      30_000,
    );

    const hunt = await signedAction(['alice'], { now: b.clock.now() });
    const launched = await callA('POST', '/actions', hunt);
    expect(launched.status).toBe(201);
    expect(ActionRecordSchema.parse(launched.body).counters.targeted).toBe(AGENTS);
    const onB = async () => ActionRecordSchema.parse((await b.api('GET', `/actions/${hunt.id}`)).body);
    await waitFor(
      async () => (await onB()).counters.done >= AGENTS / 2,
      'the first half of the results, stored by A or B',
      30_000,
    );

    a.child.kill('SIGKILL');
    await a.exited;
    // Answers published now go partly to A's session (Mosquitto still counts it in the share
    // group) until B, once A's lease has run out, forgets that session and sends every
    // unanswered command again.
    for (const agent of agents) agent.openGate();

    await waitFor(async () => (await onB()).status === 'completed', 'the hunt to complete through server B', 60_000);
    expect((await onB()).counters).toMatchObject({
      targeted: AGENTS,
      sent: AGENTS,
      success: AGENTS,
      found: AGENTS,
      done: AGENTS,
    });
    const commands = CommandListSchema.parse(
      (await b.api('GET', `/actions/${hunt.id}/commands?limit=1000`)).body,
    ).commands;
    expect(commands).toHaveLength(AGENTS);
    expect(
      commands.every((c) => c.status === 'success' && c.isFound === true && (c.operations?.length ?? 0) === 1),
    ).toBe(true);
    // Nothing ran twice: one command per agent, each run once.
    expect(new Set(commands.map((c) => c.agentId)).size).toBe(AGENTS);
    for (const agent of agents) expect([...agent.runs.values()]).toEqual([1]);
    expect(b.logs.some((l) => /cleaning up after it/.test(l))).toBe(true);
  }, 180_000);
});
