import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../broker/server.js';
import { signedAction } from '../test/helpers/actions.js';
import { armoredPublicKey } from '../test/helpers/keys.js';
import { aliceClient, launch, waitOnline } from './fanout-api.js';
import { newSimIdentity, SimAgent, type SimAgentEvents, type SimShared } from './fanout-sim-agent.js';
import { simSharedFromConfig } from './sim-shared.js';

let server: RunningServer | undefined;
let dir: string | undefined;
const agents: SimAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await server?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** What fanout-sim-agents.ts gives its agents, from the agent.json this server wrote. */
async function sharedFor(running: RunningServer, overrides: Partial<SimShared>): Promise<SimShared> {
  const raw = JSON.parse(readFileSync(running.agentConfigPath, 'utf8')) as Record<string, unknown>;
  return simSharedFromConfig(raw, 'sim', { modules: ['file'], ...overrides });
}

it('answers through the real acceptance pipeline; signs its answers when asked, and the server keeps the signature', async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-agent-'));
  server = await startServer({
    dataDir: join(dir, 'server'),
    httpPort: 0,
    mqttPort: 0,
    bootstrapAdmin: { name: 'alice', publicKey: armoredPublicKey('alice') },
    autoAccept: true,
  });
  const answered = new Map<string, string>();
  const received = new Set<string>();
  const events: SimAgentEvents = {
    onConnected: () => undefined,
    onReconnect: () => undefined,
    onReceived: (id) => void received.add(id),
    onAccepted: () => undefined,
    onAnswered: (id, status) => void answered.set(id, status),
    onProblem: (id, message) => {
      throw new Error(`${id}: ${message}`);
    },
  };
  // One agent per mode: full verification and signed answers; shared verdicts and unsigned ones.
  const signing = new SimAgent(newSimIdentity(), 'sim-signing', await sharedFor(server, { signAnswers: true }), events);
  const shared = new SimAgent(newSimIdentity(), 'sim-shared', await sharedFor(server, { verify: 'shared' }), events);
  agents.push(signing, shared);
  for (const agent of agents) await agent.enroll();
  for (const agent of agents) agent.connect();
  const client = await aliceClient(server.httpUrl);
  await waitOnline(client, 2, 20_000);

  const action = await signedAction(['alice']);
  await launch(client, action);
  await expect.poll(async () => (await client.getAction(action.id)).status, { timeout: 20_000 }).toBe('completed');

  expect([...received].sort()).toEqual([signing.agentId, shared.agentId].sort());
  expect(Object.fromEntries(answered)).toEqual({ [signing.agentId]: 'success', [shared.agentId]: 'success' });
  const { commands } = await client.listCommands(action.id);
  const byAgent = new Map(commands.map((c) => [c.agentId, c]));
  expect(byAgent.get(signing.agentId)).toMatchObject({ status: 'success', isFound: true });
  expect(byAgent.get(signing.agentId)?.agentAnswer?.signature.publicKey).toBeDefined();
  expect(byAgent.get(shared.agentId)).toMatchObject({ status: 'success', isFound: true });
  expect(byAgent.get(shared.agentId)?.agentAnswer).toBeUndefined();
});
