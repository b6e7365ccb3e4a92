import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeartbeatMessage } from '../../protocol/messages.js';
import { commandsTopic } from '../../protocol/topics.js';
import { moduleRunners } from '../../modules/runners.js';
import { moduleSpecs } from '../../modules/registry.js';
import { signedAction } from '../../test/helpers/actions.js';
import { armoredPublicKey } from '../../test/helpers/keys.js';
import { signedPolicyText } from '../../test/helpers/policy.js';
import { parseAgentConfig, type AgentConfigInput } from '../config.js';
import { startAgent, type RunningAgent } from '../start.js';
import { startTestBroker, type TestBroker } from '../../test/helpers/agent/broker.js';
import { testAgentConfigInput, writeHostRoot } from '../../test/helpers/agent/config.js';
import { tempDir } from '../../test/helpers/agent/probe.js';

let dir: ReturnType<typeof tempDir>;
let mq: TestBroker;
let agents: RunningAgent[];
let logs: string[];

beforeEach(async () => {
  dir = tempDir('policy');
  writeHostRoot(join(dir.path, 'root'));
  mq = await startTestBroker();
  agents = [];
  logs = [];
});

afterEach(async () => {
  for (const agent of agents) await agent.close();
  await mq.close();
  dir.remove();
});

function config(extra: Partial<AgentConfigInput> = {}) {
  return parseAgentConfig(
    testAgentConfigInput(mq, dir.path, {
      admins: { keys: [{ name: 'alice', publicKey: armoredPublicKey('alice') }], threshold: 1 },
      ...extra,
    }),
  );
}

type Beat = Extract<HeartbeatMessage, { kind: 'heartbeat' }>;
const isBeat =
  (version?: number) =>
  (m: { kind: string }): m is Beat =>
    m.kind === 'heartbeat' && (version === undefined || (m as Beat).policyVersion === version);

async function start(extra: Partial<AgentConfigInput> = {}): Promise<RunningAgent> {
  const from = mq.inbox.messages.length;
  const agent = await startAgent(config(extra), {
    specs: moduleSpecs,
    runners: moduleRunners,
    platform: 'linux',
    backoff: { initialMs: 20, maxMs: 100 },
    log: (level, message) => logs.push(`${level} ${message}`),
  });
  agents.push(agent);
  await mq.inbox.waitFor(isBeat(), from);
  return agent;
}

async function push(agent: RunningAgent, bundle: string): Promise<void> {
  await mq.server.publishAsync(commandsTopic(agent.agentId), JSON.stringify({ v: 1, kind: 'policy', bundle }), {
    qos: 1,
  });
}

async function waitForLog(pattern: RegExp): Promise<void> {
  while (!logs.some((l) => pattern.test(l))) await new Promise((r) => setTimeout(r, 10));
}

async function statusOf(
  agent: RunningAgent,
  signer: 'alice' | 'bob' | 'carol',
): Promise<{ status: string; code?: string }> {
  const result = await mq.inbox.resultFor(await mq.sendCommand(agent.agentId, await signedAction([signer])));
  return { status: result.status, ...(result.error === undefined ? {} : { code: result.error.code }) };
}

describe('agent policy bundles', () => {
  it('reports version 0 with its baked config, applies a newer bundle, persists it and stops trusting who it drops', async () => {
    const agent = await start();
    expect((await mq.inbox.waitFor(isBeat())).policyVersion).toBe(0);
    expect(await statusOf(agent, 'bob')).toEqual({ status: 'success' });

    // v1: alice and carol; bob is gone.
    await push(agent, await signedPolicyText({ version: 1, investigators: ['alice', 'carol'] }));
    await mq.inbox.waitFor(isBeat(1));
    expect(JSON.parse(readFileSync(join(dir.path, 'data', 'policy.json'), 'utf8'))).toMatchObject({ version: 1 });

    expect(await statusOf(agent, 'bob')).toEqual({ status: 'failed', code: 'UNKNOWN_SIGNER' });
    expect(await statusOf(agent, 'carol')).toEqual({ status: 'success' });
    expect(await statusOf(agent, 'alice')).toEqual({ status: 'success' });
    expect(logs.join('\n')).toMatch(/applied version 1 .*no longer trusted: bob/);
  });

  it('refuses a rollback and an under-signed bundle, keeping the one it holds', async () => {
    const agent = await start();
    const v1 = await signedPolicyText({ version: 1, investigators: ['alice', 'carol'] });
    await push(agent, v1);
    await mq.inbox.waitFor(isBeat(1));
    await push(agent, await signedPolicyText({ version: 2, investigators: ['alice', 'bob'] }));
    await mq.inbox.waitFor(isBeat(2));
    expect(readFileSync(join(dir.path, 'data', 'policy.prev.json'), 'utf8')).toBe(v1);

    await push(agent, v1);
    await waitForLog(/refused a bundle, keeping version 2: POLICY_ROLLBACK/);
    await push(
      agent,
      await signedPolicyText({ version: 3, investigators: ['alice', 'mallory'], signers: ['mallory'] }),
    );
    await waitForLog(/refused a bundle, keeping version 2: POLICY_UNDER_SIGNED/);
    expect(await statusOf(agent, 'bob')).toEqual({ status: 'success' });
    expect(await statusOf(agent, 'carol')).toEqual({ status: 'failed', code: 'UNKNOWN_SIGNER' });
  });

  it('loads the newest valid bundle at start, falling back to the previous one when it is damaged', async () => {
    const first = await start();
    await push(first, await signedPolicyText({ version: 1, investigators: ['alice', 'carol'] }));
    await mq.inbox.waitFor(isBeat(1));
    await push(first, await signedPolicyText({ version: 2, investigators: ['alice'] }));
    await mq.inbox.waitFor(isBeat(2));
    await first.close();
    agents = [];

    const from = mq.inbox.messages.length;
    const again = await start();
    expect((await mq.inbox.waitFor(isBeat(), from)).policyVersion).toBe(2);
    expect(await statusOf(again, 'carol')).toEqual({ status: 'failed', code: 'UNKNOWN_SIGNER' });
    await again.close();
    agents = [];

    writeFileSync(join(dir.path, 'data', 'policy.json'), '{"v":1,"kind":"policy","version":99}');
    const fromDamaged = mq.inbox.messages.length;
    const fallback = await start();
    expect((await mq.inbox.waitFor(isBeat(), fromDamaged)).policyVersion).toBe(1);
    expect(await statusOf(fallback, 'carol')).toEqual({ status: 'success' });
    expect(logs.join('\n')).toMatch(/ignoring .*policy\.json: policy bundle: /);
  });

  it('an agent baked without admin keys accepts no bundle', async () => {
    const agent = await start({ admins: undefined });
    await push(agent, await signedPolicyText({ version: 1, investigators: ['alice'] }));
    await waitForLog(/POLICY_UNDER_SIGNED/);
    expect(existsSync(join(dir.path, 'data', 'policy.json'))).toBe(false);
    expect(await statusOf(agent, 'bob')).toEqual({ status: 'success' });
  });

  it("narrows the modules it runs to the bundle's allowlist", async () => {
    const agent = await start();
    await push(agent, await signedPolicyText({ version: 1, allowedModules: ['netstat'] }));
    const beat = await mq.inbox.waitFor(isBeat(1));
    expect(beat.modules).toEqual(['netstat']);
    expect(await statusOf(agent, 'alice')).toEqual({ status: 'failed', code: 'MODULE_NOT_ALLOWED' });
  });
});
