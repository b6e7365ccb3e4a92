import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentIdFromPublicKey } from '../protocol/agent-key.js';
import { commandsTopic } from '../protocol/topics.js';
import { moduleRunners } from '../modules/runners.js';
import { moduleSpecs } from '../modules/registry.js';
import { signedAction } from '../test/helpers/actions.js';
import { parseAgentConfig, type AgentConfig } from './config.js';
import { RunningJournal } from './journal/running-journal.js';
import { startAgent, type RunningAgent, type StartAgentOptions } from './start.js';
import { ENROLLMENT_SECRET, startTestBroker, type TestBroker } from '../test/helpers/agent/broker.js';
import { testAgentConfigInput, writeHostRoot } from '../test/helpers/agent/config.js';
import { probeRunners, probeSpecs, tempDir } from '../test/helpers/agent/probe.js';

const specs = new Map([...moduleSpecs, ...probeSpecs]);
const runners = new Map([...moduleRunners, ...probeRunners]);

let dir: ReturnType<typeof tempDir>;
let mq: TestBroker;
let agents: RunningAgent[];
let config: AgentConfig;

beforeEach(async () => {
  dir = tempDir('session');
  writeHostRoot(join(dir.path, 'root'));
  mq = await startTestBroker();
  agents = [];
  config = parseAgentConfig(testAgentConfigInput(mq, dir.path, { tags: { env: 'test' } }), {
    knownModules: [...specs.keys()],
  });
});

afterEach(async () => {
  for (const agent of agents) await agent.close();
  await mq.close();
  dir.remove();
});

async function start(): Promise<RunningAgent> {
  const from = mq.inbox.messages.length;
  const agent = await startAgent(config, { specs, runners, platform: 'linux', backoff: { initialMs: 20, maxMs: 100 } });
  agents.push(agent);
  await mq.inbox.waitFor((m) => m.kind === 'heartbeat' && m.agentId === agent.agentId, from);
  return agent;
}

describe('agent session over a real broker', () => {
  it('announces itself with a heartbeat on connect', async () => {
    const agent = await start();
    const hb = await mq.inbox.waitFor((m) => m.kind === 'heartbeat');
    expect(hb).toMatchObject({
      kind: 'heartbeat',
      agentId: agent.agentId,
      os: 'linux',
      mode: 'daemon',
      queueloc: `linux.${agent.agentId}`,
      tags: { env: 'test' },
    });
    expect(hb.kind === 'heartbeat' ? hb.modules : []).toEqual(expect.arrayContaining(['file', 'probe']));
  });

  it('runs a signed file search under its root and publishes the result', async () => {
    const agent = await start();
    const action = await signedAction(['alice']);
    const result = await mq.inbox.resultFor(await mq.sendCommand(agent.agentId, action));
    expect(result).toMatchObject({ status: 'success', actionId: action.id });
    expect(result.operations[0]).toMatchObject({ module: 'file', isFound: true });
    expect(JSON.stringify(result.operations[0]?.rows)).toMatch(/passwd/);
  });

  const refusals: { name: string; make: () => Promise<unknown>; wantCode: string }[] = [
    { name: 'unknown signer', make: () => signedAction(['mallory']), wantCode: 'UNKNOWN_SIGNER' },
    {
      name: 'target excludes the agent',
      make: () => signedAction(['alice'], { target: "os = 'windows'" }),
      wantCode: 'TARGET_EXCLUDES_AGENT',
    },
    { name: 'action is not an object', make: async () => 'not an action', wantCode: 'MALFORMED_ACTION' },
  ];
  it.each(refusals)('answers a refusal as a failed result: $name → $wantCode', async ({ make, wantCode }) => {
    const agent = await start();
    const result = await mq.inbox.resultFor(await mq.sendCommand(agent.agentId, await make()));
    expect(result).toMatchObject({ status: 'failed', error: { code: wantCode }, operations: [] });
  });

  it('answers a malformed envelope whose command id it can read', async () => {
    const agent = await start();
    const commandId = randomBytes(16).toString('hex');
    await mq.server.publishAsync(
      commandsTopic(agent.agentId),
      JSON.stringify({ v: 1, kind: 'command', commandId, action: 7 }),
      { qos: 1 },
    );
    expect(await mq.inbox.resultFor(commandId)).toMatchObject({
      status: 'failed',
      error: { code: 'MALFORMED_COMMAND' },
    });
  });

  it('cancels a running command', async () => {
    const agent = await start();
    const action = await signedAction(['alice'], {
      operations: [{ module: 'probe', parameters: { rows: 1, hang: 'until-abort' } }],
    });
    const commandId = await mq.sendCommand(agent.agentId, action);
    // QoS 1 on one topic keeps order: the cancel always finds the command in flight (verifying or running).
    await mq.server.publishAsync(commandsTopic(agent.agentId), JSON.stringify({ v: 1, kind: 'cancel', commandId }), {
      qos: 1,
    });
    expect(await mq.inbox.resultFor(commandId)).toMatchObject({
      status: 'cancelled',
      error: { code: 'MODULE_CANCELLED' },
    });
  });

  it('reports a command left in the running journal as AGENT_RESTARTED, once', async () => {
    const commandId = randomBytes(16).toString('hex');
    const actionId = randomBytes(16).toString('hex');
    const running = await RunningJournal.open(config.dataDir);
    await running.begin({ commandId, actionId, receivedAt: new Date().toISOString() });
    await running.close();
    await start();
    expect(await mq.inbox.resultFor(commandId)).toMatchObject({
      status: 'failed',
      actionId,
      error: { code: 'AGENT_RESTARTED' },
    });
    await agents.pop()?.close();
    expect((await RunningJournal.open(config.dataDir)).leftovers()).toEqual([]);
  });

  it('says shutdown on close, and gets commands queued while it was away', async () => {
    const first = await start();
    await agents.pop()?.close();
    await mq.inbox.waitFor((m) => m.kind === 'offline' && m.reason === 'shutdown' && m.agentId === first.agentId);
    const action = await signedAction(['alice']);
    const commandId = await mq.sendCommand(first.agentId, action);
    const second = await start();
    expect(second.agentId).toBe(first.agentId);
    expect(await mq.inbox.resultFor(commandId)).toMatchObject({ status: 'success', actionId: action.id });
  });

  it('refuses a replayed action across a restart', async () => {
    const first = await start();
    const action = await signedAction(['alice']);
    expect(await mq.inbox.resultFor(await mq.sendCommand(first.agentId, action))).toMatchObject({ status: 'success' });
    await agents.pop()?.close();
    const second = await start();
    expect(await mq.inbox.resultFor(await mq.sendCommand(second.agentId, action))).toMatchObject({
      status: 'failed',
      error: { code: 'REPLAYED' },
    });
  });

  it('reconnects after the connection drops, resubscribes and keeps answering', async () => {
    const agent = await start();
    const from = mq.inbox.messages.length;
    mq.dropConnection(agent.agentId);
    await mq.inbox.waitFor((m) => m.kind === 'offline' && m.reason === 'lost', from);
    await mq.inbox.waitFor((m) => m.kind === 'heartbeat' && m.agentId === agent.agentId, from);
    const action = await signedAction(['alice']);
    expect(await mq.inbox.resultFor(await mq.sendCommand(agent.agentId, action))).toMatchObject({ status: 'success' });
  });

  it('keeps retrying with a wrong enrollment secret, and still closes cleanly', async () => {
    const lines: string[] = [];
    let wake: () => void = () => undefined;
    const log = (_level: string, message: string): void => {
      lines.push(message);
      wake();
    };
    const agent = await startAgent(
      { ...config, enrollmentSecret: 'wrong' },
      { log, backoff: { initialMs: 10, maxMs: 20 } },
    );
    while (lines.filter((l) => l.includes('retrying in')).length < 2)
      await new Promise<void>((resolve) => (wake = resolve));
    await agent.close();
    expect(lines.join('\n')).toMatch(/Not authorized|Bad username or password/);
    expect(lines.some((l) => l.includes('connected to'))).toBe(false);
  });
});

describe('enrollment', () => {
  /** Resolves when a log line matches. */
  const logWatch = () => {
    const lines: string[] = [];
    const waiters: { re: RegExp; resolve: () => void }[] = [];
    const log = (_level: string, message: string): void => {
      lines.push(message);
      for (const w of waiters.filter((x) => x.re.test(message))) w.resolve();
    };
    const seen = (re: RegExp): Promise<void> =>
      lines.some((l) => re.test(l)) ? Promise.resolve() : new Promise((resolve) => waiters.push({ re, resolve }));
    return { log, lines, seen };
  };

  /** An agent that logs into `watch` and retries fast: enrollment answers change within a test. */
  async function startWatched(
    watch: ReturnType<typeof logWatch>,
    extra: Partial<StartAgentOptions> = {},
  ): Promise<RunningAgent> {
    const agent = await startAgent(config, {
      specs,
      runners,
      platform: 'linux',
      log: watch.log,
      backoff: { initialMs: 10, maxMs: 20 },
      ...extra,
    });
    agents.push(agent);
    return agent;
  }

  it('takes the id its key derives, enrolls with a signed request and its own password, then logs in with that password', async () => {
    const agent = await start();
    const request = mq.enrollments.find((r) => r.agentId === agent.agentId);
    expect(agent.agentId).toBe(agentIdFromPublicKey(request?.publicKey ?? ''));
    expect(request?.password).toBe(readFileSync(join(config.dataDir, 'broker-password'), 'utf8').trim());
    expect(request?.password).not.toBe(ENROLLMENT_SECRET);
    expect(statSync(join(config.dataDir, 'broker-password')).mode & 0o777).toBe(0o600);
    expect(mq.passwords.get(agent.agentId)).toBe(request?.password);
  });

  it('keeps asking while pending, logs why, and connects once accepted', async () => {
    mq.enrollAnswer = { state: 'pending' };
    const watch = logWatch();
    const agent = await startWatched(watch, { pendingWaitMs: 20 });
    await watch.seen(/is pending: an admin must accept it/);
    const asked = mq.enrollments.length;
    await watch.seen(/retrying in/);
    expect(watch.lines.some((l) => l.includes('connected to'))).toBe(false);
    mq.enrollAnswer = { state: 'accepted' };
    await watch.seen(/connected to/);
    expect(mq.enrollments.length).toBeGreaterThan(asked);
    await mq.inbox.waitFor((m) => m.kind === 'heartbeat' && m.agentId === agent.agentId);
  });

  it('logs the reason of a rejection and keeps retrying', async () => {
    mq.enrollAnswer = { state: 'rejected', reason: 'enrollment rejected by an admin' };
    const watch = logWatch();
    await startWatched(watch);
    await watch.seen(/rejected: enrollment rejected by an admin; retrying in/);
    const before = mq.enrollments.length;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => mq.enrollments.length > before && (clearInterval(timer), resolve()), 10);
    });
    expect(watch.lines.some((l) => l.includes('connected to'))).toBe(false);
  });

  it('enrolls again when the broker refuses its credential, without a new id', async () => {
    const watch = logWatch();
    const first = await startWatched(watch);
    await watch.seen(/connected to/);
    await agents.pop()?.close();
    mq.passwords.delete(first.agentId);
    const asked = mq.enrollments.length;
    const second = await startWatched(watch);
    await watch.seen(/refused this agent's credential/);
    expect(second.agentId).toBe(first.agentId);
    await mq.inbox.waitFor((m) => m.kind === 'heartbeat' && m.agentId === second.agentId, mq.inbox.messages.length);
    expect(mq.enrollments.length).toBeGreaterThan(asked);
  });
});
