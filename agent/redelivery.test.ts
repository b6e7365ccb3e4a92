import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignedAction } from '../protocol/action.js';
import type { ModuleRun } from '../protocol/module-spec.js';
import { signedAction } from '../test/helpers/actions.js';
import { parseAgentConfig, type AgentConfig } from './config.js';
import { AnswerJournal, type AnswerLimits } from './journal/answer-journal.js';
import { ReplayJournal } from './journal/replay-journal.js';
import { RunningJournal } from './journal/running-journal.js';
import { startAgent, type RunningAgent } from './start.js';
import { startTestBroker, type ResultMsg, type TestBroker } from '../test/helpers/agent/broker.js';
import { testAgentConfigInput } from '../test/helpers/agent/config.js';
import { probeSpecs, tempDir } from '../test/helpers/agent/probe.js';

/**
 * A command the server sends again (it restarted and lost our answer) gets the answer we kept,
 * byte for byte; anything else that names an executed action is still refused.
 */

/** Rows that differ on every run: equal rows can only be the kept answer, never a second run. */
let runs = 0;
const runRandomRows: ModuleRun<{ rows: number }, unknown> = async function* (params, ctx) {
  runs += 1;
  for (let i = 0; i < params.rows; i++) {
    ctx.count('visited');
    yield { path: `/r/${randomBytes(8).toString('hex')}`, size: i, owner: 'alice', inode: i };
  }
};
const runners = new Map([['probe', runRandomRows]]);

// Alike on purpose (duplicates): the per-test agent, broker and temp dir that start.test.ts also
// declares; vitest needs them per file, and their setup goes through the shared test/helpers/agent.
let dir: ReturnType<typeof tempDir>;
let mq: TestBroker;
let agents: RunningAgent[];
let config: AgentConfig;

beforeEach(async () => {
  dir = tempDir('redelivery');
  mq = await startTestBroker();
  agents = [];
  runs = 0;
  config = parseAgentConfig(testAgentConfigInput(mq, dir.path, { root: dir.path }), {
    knownModules: [...probeSpecs.keys()],
  });
});

afterEach(async () => {
  for (const agent of agents) await agent.close();
  await mq.close();
  dir.remove();
});

async function start(answerLimits?: Partial<AnswerLimits>): Promise<RunningAgent> {
  const from = mq.inbox.messages.length;
  const agent = await startAgent(config, {
    specs: probeSpecs,
    runners,
    platform: 'linux',
    backoff: { initialMs: 20, maxMs: 100 },
    answerLimits,
  });
  agents.push(agent);
  await mq.inbox.waitFor((m) => m.kind === 'heartbeat' && m.agentId === agent.agentId, from);
  return agent;
}

async function restart(answerLimits?: Partial<AnswerLimits>): Promise<RunningAgent> {
  await agents.pop()?.close();
  return start(answerLimits);
}

const probeAction = (): Promise<SignedAction> =>
  signedAction(['alice'], { operations: [{ module: 'probe', parameters: { rows: 3 } }] });

/** Sends `action` under `commandId` and waits for the result that answers this very send. */
async function send(
  agentId: string,
  action: unknown,
  commandId: string = randomBytes(16).toString('hex'),
): Promise<ResultMsg> {
  const from = mq.inbox.messages.length;
  await mq.sendCommand(agentId, action, commandId);
  return mq.inbox.waitFor((m): m is ResultMsg => m.kind === 'result' && m.commandId === commandId, from);
}

describe('a command sent again after the agent answered it', () => {
  const cases: { name: string; isRestarted: boolean }[] = [
    { name: 'same process', isRestarted: false },
    { name: 'after the agent restarted (from disk)', isRestarted: true },
  ];
  it.each(cases)('gets the same result again, not a second run: $name', async ({ isRestarted }) => {
    let agent = await start();
    const action = await probeAction();
    const commandId = randomBytes(16).toString('hex');
    const first = await send(agent.agentId, action, commandId);
    expect(first).toMatchObject({ status: 'success', actionId: action.id });
    expect(first.operations[0]?.rows).toHaveLength(3);
    expect(first.signature?.value).toMatch(/==$/); // the kept answer keeps the agent's signature
    if (isRestarted) agent = await restart();
    const again = await send(agent.agentId, action, commandId);
    expect(JSON.stringify(again.operations[0]?.rows)).toBe(JSON.stringify(first.operations[0]?.rows));
    expect(again).toEqual(first);
    expect(runs).toBe(1);
  });

  it('refuses another command id carrying the same action: REPLAYED', async () => {
    const agent = await start();
    const action = await probeAction();
    expect(await send(agent.agentId, action)).toMatchObject({ status: 'success' });
    expect(await send(agent.agentId, action)).toMatchObject({
      status: 'failed',
      actionId: action.id,
      error: { code: 'REPLAYED' },
      operations: [],
    });
    await restart();
    expect(await send(agent.agentId, action)).toMatchObject({ status: 'failed', error: { code: 'REPLAYED' } });
    expect(runs).toBe(1);
  });

  const tampered: { name: string; tamper: (action: SignedAction) => unknown; wantCode: string }[] = [
    {
      name: 'signature broken (target changed)',
      tamper: (a) => ({ ...a, target: "os = 'linux'" }),
      wantCode: 'BAD_SIGNATURE',
    },
    { name: 'no signature', tamper: (a) => ({ ...a, signatures: [] }), wantCode: 'NO_SIGNATURE' },
    { name: 'not an action', tamper: () => 'rm -rf /', wantCode: 'MALFORMED_ACTION' },
  ];
  it.each(tampered)(
    'refuses a tampered copy rather than answer from memory: $name → $wantCode',
    async ({ tamper, wantCode }) => {
      const agent = await start();
      const action = await probeAction();
      const commandId = randomBytes(16).toString('hex');
      const first = await send(agent.agentId, action, commandId);
      expect(await send(agent.agentId, tamper(action), commandId)).toMatchObject({
        status: 'failed',
        error: { code: wantCode },
        operations: [],
      });
      // The kept answer is still there for the genuine command.
      expect(await send(agent.agentId, action, commandId)).toEqual(first);
    },
  );

  it('refuses it REPLAYED when the answer was too large to keep', async () => {
    let agent = await start({ maxAnswerBytes: 200 });
    const action = await probeAction();
    const commandId = randomBytes(16).toString('hex');
    expect(await send(agent.agentId, action, commandId)).toMatchObject({ status: 'success' });
    agent = await restart({ maxAnswerBytes: 200 });
    expect(await send(agent.agentId, action, commandId)).toMatchObject({
      status: 'failed',
      error: { code: 'REPLAYED' },
    });
    expect(runs).toBe(1);
  });
});

/**
 * Starts the agent over journals a previous process left: it answers the command AGENT_RESTARTED
 * on its own, answers a resend with that same answer, and never runs the module.
 */
async function expectRestartedAnswerKept(action: SignedAction, commandId: string): Promise<void> {
  const agent = await start();
  const first = await mq.inbox.resultFor(commandId);
  expect(first).toMatchObject({ status: 'failed', actionId: action.id, error: { code: 'AGENT_RESTARTED' } });
  expect(await send(agent.agentId, action, commandId)).toEqual(first);
  expect(runs).toBe(0);
}

describe('a command left running by a previous process', () => {
  it('is answered with the result that process kept, rather than AGENT_RESTARTED', async () => {
    const commandId = randomBytes(16).toString('hex');
    const actionId = randomBytes(16).toString('hex');
    const now = new Date();
    const kept: ResultMsg = {
      v: 1,
      kind: 'result',
      commandId,
      actionId,
      status: 'success',
      operations: [{ module: 'probe', isFound: true, rows: [{ path: '/kept' }], stats: {}, errors: [] }],
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
    };
    const running = await RunningJournal.open(config.dataDir);
    await running.begin({ commandId, actionId, receivedAt: now.toISOString() });
    await running.close();
    const answers = await AnswerJournal.open(config.dataDir);
    await answers.keep(kept, new Date(now.getTime() + 60_000));
    await answers.close();
    await start();
    expect(await mq.inbox.resultFor(commandId)).toEqual(kept);
    await agents.pop()?.close();
    expect((await RunningJournal.open(config.dataDir)).leftovers()).toEqual([]);
  });

  it('keeps its AGENT_RESTARTED answer too, for as long as the action is remembered', async () => {
    const action = await probeAction();
    const commandId = randomBytes(16).toString('hex');
    const replay = await ReplayJournal.open(config.dataDir);
    await replay.record(action.id, new Date(Date.parse(action.expireAfter) + config.maxClockSkewMs));
    await replay.close();
    const running = await RunningJournal.open(config.dataDir);
    await running.begin({ commandId, actionId: action.id, receivedAt: new Date().toISOString() });
    await running.close();
    await expectRestartedAnswerKept(action, commandId);
  });

  it('marked on its replay line (one append): AGENT_RESTARTED, kept, never run, reported once', async () => {
    const action = await probeAction();
    const commandId = randomBytes(16).toString('hex');
    const replay = await ReplayJournal.open(config.dataDir);
    const horizon = new Date(Date.parse(action.expireAfter) + config.maxClockSkewMs);
    await replay.record(action.id, horizon, { commandId, receivedAt: new Date().toISOString() });
    await replay.close();
    await expectRestartedAnswerKept(action, commandId);
    await agents.pop()?.close();
    const reopened = await ReplayJournal.open(config.dataDir);
    expect(reopened.leftovers()).toEqual([]);
    expect(reopened.has(action.id)).toBe(true);
  });
});
