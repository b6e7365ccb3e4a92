import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { parseAgentConfig } from '../../agent/config.js';
import { loadOrCreateAgentKey } from '../../agent/agent-key.js';
import { ReplayJournal } from '../../agent/journal/replay-journal.js';
import { startAgent, type RunningAgent } from '../../agent/start.js';
import { AGENT_USERNAME } from '../../broker/mqtt/credentials.js';
import { FakeAgent, connectClient } from '../helpers/broker/fake-agent.js';
import { fakeEnrollRequest, fakeIdentity } from '../helpers/broker/fake-identity.js';
import { ServerHarness, waitFor } from '../helpers/broker/harness.js';
import { ActionRecordSchema, AgentRecordSchema, CommandListSchema } from '../../protocol/api.js';
import { signedAction } from '../helpers/actions.js';

/**
 * Upgrading an agent enrolled before per-agent identity (agent-id file with a random id, no
 * key, enrollment-secret login): at its next start it makes a key, binds it to its old id in
 * one re-enrollment (no admin step, even with auto-accept off), gets the command queued for it
 * while it was away, and still refuses an action its replay journal already holds.
 */
let h: ServerHarness;
let agent: RunningAgent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  await h.teardown();
});

/** What agents.json held for an agent before enrollment existed (no key, no enrollment state). */
function legacyRecord(id: string, name: string): Record<string, unknown> {
  const at = new Date(Date.now() - 3_600_000).toISOString();
  return {
    id,
    name,
    os: 'linux',
    arch: 'x64',
    version: '0.1.0',
    mode: 'daemon',
    queueloc: `linux.${name}`,
    environment: { ident: 'Debian 12', init: 'systemd', addresses: ['10.0.0.9'], hostname: name },
    tags: { env: 'prod' },
    modules: ['file'],
    status: 'offline',
    heartbeatMs: 30_000,
    startedAt: at,
    firstSeenAt: at,
    lastHeartbeatAt: at,
  };
}

it('re-enrolls a pre-identity agent once, keeping its id, its queued command and its replay journal', async () => {
  const legacyId = `a-${randomBytes(10).toString('hex')}`;
  h = new ServerHarness();
  h.dataDir = await mkdtemp(join(tmpdir(), 'mig-legacy-'));
  writeFileSync(join(h.dataDir, 'agents.json'), JSON.stringify({ agents: [legacyRecord(legacyId, 'old-host')] }));
  const server = await h.start({ autoAccept: false });
  expect(existsSync(join(h.dataDir, 'agents.json.migrated'))).toBe(true);

  // While the agent is away (upgrading), a hunt is launched for it: the command waits in the store.
  const queued = await signedAction(['alice'], { target: "name = 'old-host'" });
  expect(ActionRecordSchema.parse((await h.submit(queued)).body).counters.targeted).toBe(1);

  // The agent's data dir as the old version left it: its id, a replay journal, no key.
  const agentDir = join(h.dataDir, '..', `${legacyId}-data`);
  mkdirSync(agentDir, { recursive: true });
  writeFileSync(join(agentDir, 'agent-id'), `${legacyId}\n`);
  const seen = await signedAction(['alice'], { target: "name = 'old-host'" });
  const journal = await ReplayJournal.open(agentDir);
  await journal.record(seen.id, new Date(Date.now() + 3_600_000));
  await journal.close();

  // The enrollment secret alone no longer opens the old id.
  expect(
    await connectClient(server.mqttUrl, {
      clientId: legacyId,
      username: AGENT_USERNAME,
      password: server.enrollmentSecret,
    }).then(
      () => 'connected',
      (e: { code?: number }) => e.code,
    ),
  ).toBe(5);

  const lines: string[] = [];
  const raw = JSON.parse(readFileSync(server.agentConfigPath, 'utf8')) as Record<string, unknown>;
  const root = join(agentDir, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  const config = parseAgentConfig(
    { ...raw, name: 'old-host', dataDir: agentDir, root, tags: { env: 'prod' }, heartbeatMs: 1000 },
    { baseDir: h.dataDir },
  );
  agent = await startAgent(config, { log: (_l, m) => lines.push(m), backoff: { initialMs: 20, maxMs: 200 } });
  expect(agent.agentId).toBe(legacyId);

  // The queued hunt is redelivered at its first heartbeat and answered.
  await waitFor(
    async () => ActionRecordSchema.parse((await h.api('GET', `/actions/${queued.id}`)).body).status === 'completed',
    'the queued hunt answered',
    20_000,
  );
  const commands = CommandListSchema.parse((await h.api('GET', `/actions/${queued.id}/commands`)).body).commands;
  expect(commands.map((c) => `${c.agentId}:${c.status}`)).toEqual([`${legacyId}:success`]);
  expect(lines.some((l) => l.includes('keeping its id from before per-agent identity'))).toBe(true);

  // Its key is bound to its old id, accepted without an admin, once.
  const record = AgentRecordSchema.parse((await h.api('GET', `/agents/${legacyId}`)).body);
  expect(record).toMatchObject({
    enrollment: 'accepted',
    publicKey: loadOrCreateAgentKey(agentDir).publicKey,
    decidedBy: 'legacy-binding',
  });
  expect(h.logs.some((l) => l.includes(`enrollment of ${legacyId} (old-host): accepted (legacy id, key bound)`))).toBe(
    true,
  );

  // The replay journal survived: the action it had seen is refused.
  const replay = await h.submit(seen);
  expect(replay.status).toBe(201);
  await waitFor(
    async () => ActionRecordSchema.parse((await h.api('GET', `/actions/${seen.id}`)).body).status === 'completed',
    'the replay answered',
    20_000,
  );
  const refused = CommandListSchema.parse((await h.api('GET', `/actions/${seen.id}/commands`)).body).commands;
  expect(refused.map((c) => [c.status, c.error?.code])).toEqual([['failed', 'REPLAYED']]);

  // A second key can never bind to that id.
  const thief = { ...fakeIdentity('thief'), id: legacyId };
  expect(await FakeAgent.enroll(server.mqttUrl, server.enrollmentSecret, fakeEnrollRequest(thief))).toMatchObject({
    state: 'rejected',
    reason: expect.stringContaining('another key is already bound'),
  });
}, 60_000);
