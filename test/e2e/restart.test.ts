// Killing the server (SIGKILL, no clean shutdown) in the middle of a hunt loses neither the
// accepted action nor any result: those received before survive on disk, and an agent that was
// offline at launch still gets its command from the restarted server and answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  initInvestigator,
  makeFleet,
  prepareHost,
  startAgentProcess,
  startServerProcess,
  waitForOnlineAgents,
  type Fleet,
} from '../helpers/fleet.js';
import { runMig, startMig, type MigProcess } from '../helpers/mig-process.js';

interface ActionJson {
  status: string;
  counters: { targeted: number; done: number; success: number; found: number };
}

async function showAction(fleet: Fleet, id: string): Promise<ActionJson> {
  const res = await runMig(['action', 'show', id, '-render', 'json'], fleet.env);
  if (res.code !== 0) throw new Error(`mig action show failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as ActionJson;
}

async function waitForAction(
  fleet: Fleet,
  id: string,
  isDone: (a: ActionJson) => boolean,
  timeoutMs = 30_000,
): Promise<ActionJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const action = await showAction(fleet, id);
    if (isDone(action)) return action;
    if (Date.now() > deadline)
      throw new Error(`action ${id} never reached the expected state: ${JSON.stringify(action)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('server killed mid-hunt', () => {
  let fleet: Fleet;
  let server: MigProcess | undefined;
  const running: MigProcess[] = [];

  beforeAll(async () => {
    fleet = await makeFleet();
    await initInvestigator(fleet, 'alice');
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await server?.stop();
    await fleet?.cleanup();
  });

  it('keeps the action and every result, and delivers to the late agent after restart', async () => {
    server = await startServerProcess(fleet);
    const hosts = ['h1', 'h2', 'h3'];
    const configs: string[] = [];
    for (const name of hosts) {
      configs.push(await prepareHost(fleet, { name, tags: {}, files: { '/etc/ioc.conf': `planted on ${name}\n` } }));
    }
    const agents = await Promise.all(configs.map((c) => startAgentProcess(fleet, c)));
    running.push(...agents);
    await waitForOnlineAgents(fleet, 3);
    await agents[2]?.stop('SIGTERM'); // h3 goes offline cleanly: it is still in the registry

    const hunt = startMig(
      ['file', '-t', 'all', '-path', '/etc', '-name', '^ioc\\.conf$', '-e', '2m', '-y', '-render', 'ndjson'],
      fleet.env,
    );
    running.push(hunt);
    const actionId = (await hunt.waitFor(/launched action ([0-9a-f]{32,64})/))[1] ?? '';
    const before = await waitForAction(fleet, actionId, (a) => a.counters.done === 2);
    expect(before.counters).toMatchObject({ targeted: 3, done: 2, found: 2 });

    await server.stop('SIGKILL');
    server = await startServerProcess(fleet);
    const afterRestart = await showAction(fleet, actionId);
    expect(afterRestart.counters).toMatchObject({ targeted: 3, done: 2, found: 2 });

    const h3 = await startAgentProcess(fleet, configs[2] ?? '');
    running.push(h3);
    const done = await waitForAction(fleet, actionId, (a) => a.status === 'completed');
    expect(done.counters).toMatchObject({ targeted: 3, done: 3, success: 3, found: 3 });
  }, 90_000);
});
