import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, it } from 'vitest';
import { signResult } from '../../agent/outbox.js';
import { startEmbedded, type Embedded } from '../../bin/embedded.js';
import { FakeAgent } from '../helpers/broker/fake-agent.js';
import { waitFor } from '../helpers/broker/harness.js';
import { App } from '../../console/app/App.js';
import { ApiClient } from '../../console/services/api-client.js';
import { createConsoleBackend } from '../../console/services/console-backend.js';
import { openKeyfileSigner } from '../../console/services/signer.js';
import { signedAction } from '../helpers/actions.js';
import { armoredPublicKey, fingerprint, privateKeyPath } from '../helpers/keys.js';

let home = '';
let embedded: Embedded | undefined;
let agent: FakeAgent | undefined;
let ui: ReturnType<typeof render> | undefined;

afterEach(async () => {
  ui?.unmount();
  await agent?.close();
  await embedded?.close();
  if (home !== '') await rm(home, { recursive: true, force: true });
  home = '';
});

async function start(): Promise<{ client: ApiClient; backend: ReturnType<typeof createConsoleBackend> }> {
  embedded = await startEmbedded({
    home,
    httpPort: 0,
    mqttPort: 0,
    admin: { name: 'alice', publicKey: armoredPublicKey('alice') },
    withAgent: false,
    log: () => undefined,
  });
  const signer = await openKeyfileSigner(privateKeyPath('alice'), () => Promise.resolve(''));
  const client = new ApiClient({ serverUrl: embedded.baseUrl, signer, now: () => new Date() });
  const investigator = {
    name: 'alice',
    fingerprint: await fingerprint('alice'),
    backend: 'keyfile' as const,
    isAdmin: true,
  };
  return { client, backend: createConsoleBackend({ client, signer, investigator, now: () => new Date() }) };
}

async function frameShows(text: string | RegExp): Promise<void> {
  await waitFor(
    () => {
      const frame = ui?.lastFrame() ?? '';
      return typeof text === 'string' ? frame.includes(text) : text.test(frame);
    },
    `the console to show ${String(text)}`,
  );
}

describe('the embedded server restarted', () => {
  it('the console shows the actions, results and agents it had before, the answer still verified', async () => {
    home = await mkdtemp(join(tmpdir(), 'mig-console-restart-'));
    let { client, backend } = await start();
    agent = await FakeAgent.connect(
      embedded?.server.mqttUrl ?? '',
      embedded?.server.enrollmentSecret ?? '',
      'web-restart-1',
    );
    // The enrolled fake agent's own key: its id derives from it, so its answer verifies.
    const { id: agentId, privateKey, publicKey } = agent.identity;
    await agent.heartbeat({ name: 'web-restart-1' });
    await waitFor(async () => (await client.listAgents()).agents.length === 1, 'the agent registered');
    const action = await signedAction(['alice'], { name: 'before restart' });
    await client.createAction(action);
    await waitFor(() => agent?.commands.length === 1, 'the command');
    await agent.answer(agent.commands[0]?.commandId ?? '', {
      isFound: true,
      actionId: action.id,
      sign: (m) => signResult(m, { agentId, privateKey, publicKey }),
    });
    await waitFor(async () => (await client.getAction(action.id)).status === 'completed', 'the action completed');
    await agent.close();
    agent = undefined;
    await embedded?.close();
    embedded = undefined;

    ({ client, backend } = await start());
    ui = render(<App backend={backend} isColor={false} />);
    await frameShows('web-restart-1');
    ui.stdin.write(':');
    for (const ch of 'actions') ui.stdin.write(ch);
    ui.stdin.write('\r');
    await frameShows('before restart');
    ui.stdin.write('\r');
    await frameShows('/etc/passwd');
    // The answer stored before the restart still verifies, on this machine, against the agent's key.
    ui.stdin.write('\r');
    await frameShows(/answer\s+verified: signed by the key of agent/);
  });
});
