import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyModuleSpec, ModuleRun } from '../../protocol/module-spec.js';
import { moduleRunners } from '../../modules/runners.js';
import { moduleSpecs } from '../../modules/registry.js';
import { parseAgentConfig, type AgentConfig } from '../../agent/config.js';
import { RESPONSE_JOURNAL_FILE } from '../../agent/journal/response-journal.js';
import { startAgent, type RunningAgent } from '../../agent/start.js';
import { startTestBroker, type TestBroker } from '../helpers/agent/broker.js';
import { testAgentConfigInput } from '../helpers/agent/config.js';
import { tempDir } from '../helpers/agent/probe.js';
import { signedAction } from '../helpers/actions.js';
import { fingerprint } from '../helpers/keys.js';
import { runAgentdestroy } from '../../modules/agentdestroy/run.js';
import { agentdestroyModule } from '../../modules/agentdestroy/spec.js';

/** A real agent on a real broker, with agentdestroy registered the way the lead will register it. */
const specs = new Map<string, AnyModuleSpec>([...moduleSpecs, ['agentdestroy', agentdestroyModule]]);
const runners = new Map<string, ModuleRun<never, unknown>>([...moduleRunners, ['agentdestroy', runAgentdestroy]]);
const destroyOp = (dryrun: boolean) => [{ module: 'agentdestroy', parameters: { dryrun } }];

let dir: ReturnType<typeof tempDir>;
let mq: TestBroker;
let agent: RunningAgent;
let config: AgentConfig;

beforeEach(async () => {
  dir = tempDir('agentdestroy');
  mq = await startTestBroker();
  config = parseAgentConfig(testAgentConfigInput(mq, dir.path, { root: dir.path }));
  agent = await startAgent(config, { specs, runners, platform: 'linux', backoff: { initialMs: 20, maxMs: 100 } });
  await mq.inbox.waitFor((m) => m.kind === 'heartbeat' && m.agentId === agent.agentId);
});

afterEach(async () => {
  await agent.close();
  await mq.close();
  dir.remove();
});

const idFile = (): string => join(config.dataDir, 'agent-id');

describe('agentdestroy through a real agent', () => {
  it('one signature is refused by the agent: nothing is removed', async () => {
    const action = await signedAction(['alice'], { operations: destroyOp(false) });
    const result = await mq.inbox.resultFor(await mq.sendCommand(agent.agentId, action));
    expect(result).toMatchObject({ status: 'failed', error: { code: 'ACL_WEIGHT_TOO_LOW' }, operations: [] });
    expect(existsSync(idFile())).toBe(true);
  });

  it('a dry run lists the state, removes nothing and is journaled with both signers', async () => {
    const action = await signedAction(['alice', 'bob'], { operations: destroyOp(true) });
    const result = await mq.inbox.resultFor(await mq.sendCommand(agent.agentId, action));
    expect(result).toMatchObject({ status: 'success', operations: [{ module: 'agentdestroy', isFound: true }] });
    expect(result.operations[0]?.rows).toEqual([
      {
        agentId: agent.agentId,
        isDestroyed: false,
        isDryRun: true,
        removes: expect.arrayContaining([idFile(), join(config.dataDir, 'replay.jsonl')]),
      },
    ]);
    expect(existsSync(idFile())).toBe(true);
    const lines = readFileSync(join(config.dataDir, RESPONSE_JOURNAL_FILE), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      expect.objectContaining({
        module: 'agentdestroy',
        op: 'destroy',
        isDryRun: true,
        actionId: action.id,
        commandId: result.commandId,
        signers: expect.arrayContaining([await fingerprint('alice'), await fingerprint('bob')]),
      }),
    ]);
  });

  it('two signatures: answers, says destroyed, removes its state and stops for good', async () => {
    const action = await signedAction(['alice', 'bob'], { operations: destroyOp(false) });
    const commandId = await mq.sendCommand(agent.agentId, action);
    const result = await mq.inbox.resultFor(commandId);
    expect(result).toMatchObject({
      status: 'success',
      operations: [{ rows: [{ agentId: agent.agentId, isDestroyed: true, isDryRun: false }] }],
    });
    await agent.destroyed;
    const kinds = mq.inbox.messages.filter((m) => m.agentId === agent.agentId).map((m) => m.message.kind);
    // The answer goes out before the goodbye, and the goodbye is 'destroyed', not a lost connection.
    expect(kinds.indexOf('result')).toBeLessThan(kinds.indexOf('offline'));
    await mq.inbox.waitFor((m) => m.kind === 'offline' && m.agentId === agent.agentId && m.reason === 'destroyed');
    expect(existsSync(config.dataDir)).toBe(false);
    // Stopped for good: close() has nothing left to do, and a restart on this config is a new agent.
    await agent.close();
    const reborn = await startAgent(config, { specs, runners, platform: 'linux' });
    await mq.inbox.waitFor((m) => m.kind === 'heartbeat' && m.agentId === reborn.agentId);
    await reborn.close();
    expect(reborn.agentId).not.toBe(agent.agentId);
  });
});
