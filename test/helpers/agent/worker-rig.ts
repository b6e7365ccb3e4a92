import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Operation } from '../../../protocol/action.js';
import { commandsTopic } from '../../../protocol/topics.js';
import type { AnyModuleSpec, ModuleRun } from '../../../protocol/module-spec.js';
import { moduleRunners } from '../../../modules/runners.js';
import { moduleSpecs } from '../../../modules/registry.js';
import { signedAction } from '../actions.js';
import { armoredPublicKey } from '../keys.js';
import { parseAgentConfig, type AgentConfigInput } from '../../../agent/config.js';
import type { LogFn } from '../../../agent/log.js';
import { startAgent, type RunningAgent } from '../../../agent/start.js';
import { startTestBroker, type ResultMsg, type TestBroker } from './broker.js';
import { testAgentConfigInput, writeHostRoot } from './config.js';
import { tempDir } from './probe.js';

/**
 * Test-only: one real agent (startAgent, real module worker pool) on a real test broker, with a
 * host root in a temp dir holding /etc/passwd and whatever the test writes. For the stall tests
 * and the adversarial suite's stall rows: hunts are signed by alice and sent as the server would.
 */
export interface AgentRig {
  agent: RunningAgent;
  mq: TestBroker;
  /** The agent's root: `/x` in a hunt is `${root}/x` here. */
  root: string;
  /** Signs an action with these operations and sends it; returns its command id. */
  hunt(operations: Operation[]): Promise<string>;
  result(commandId: string): Promise<ResultMsg>;
  cancel(commandId: string): Promise<void>;
  /** Heartbeats the agent sent from message index `from` on. */
  heartbeatsSince(from: number): number;
  close(): Promise<void>;
}

export interface RigOptions {
  specs?: ReadonlyMap<string, AnyModuleSpec>;
  runners?: ReadonlyMap<string, ModuleRun<never, unknown>>;
  config?: Partial<AgentConfigInput>;
  log?: LogFn;
}

export async function startAgentRig(opts: RigOptions = {}): Promise<AgentRig> {
  const dir = tempDir('stall');
  const root = join(dir.path, 'root');
  writeHostRoot(root);
  const mq = await startTestBroker();
  const specs = new Map([...moduleSpecs, ...(opts.specs ?? [])]);
  const runners = new Map([...moduleRunners, ...(opts.runners ?? [])]);
  const config = parseAgentConfig(
    testAgentConfigInput(mq, dir.path, {
      investigators: [{ name: 'alice', publicKey: armoredPublicKey('alice') }],
      ...opts.config,
    }),
    { knownModules: [...specs.keys()] },
  );
  const agent = await startAgent(config, {
    specs,
    runners,
    platform: 'linux',
    backoff: { initialMs: 20, maxMs: 100 },
    log: opts.log,
  });
  await mq.inbox.waitFor((m) => m.kind === 'heartbeat' && m.agentId === agent.agentId);
  return {
    agent,
    mq,
    root,
    hunt: async (operations) => mq.sendCommand(agent.agentId, await signedAction(['alice'], { operations })),
    result: (commandId) => mq.inbox.resultFor(commandId),
    cancel: async (commandId) => {
      await mq.server.publishAsync(commandsTopic(agent.agentId), JSON.stringify({ v: 1, kind: 'cancel', commandId }), {
        qos: 1,
      });
    },
    heartbeatsSince: (from) => mq.inbox.messages.slice(from).filter((m) => m.message.kind === 'heartbeat').length,
    close: async () => {
      await agent.close();
      await mq.close();
      dir.remove();
    },
  };
}

/** A file of `lines` lines of 1 MiB: each starts with `bz`, then only 'a' (no line has `abz`). */
export function writeLongLines(path: string, lines: number): void {
  writeFileSync(path, `bz${'a'.repeat(1 << 20)}\n`.repeat(lines));
}

/**
 * Allowed (valid RE2, linear time on re2js) but costly on `writeLongLines` text: the program has
 * thousands of states and every line holds its required literal, so each byte costs thousands of
 * steps. Minutes per MiB: it runs until it is stopped.
 */
export const COSTLY_PATTERN = '(a|aa){1000}bz';

/** A content hunt for `pattern` under `/data`. */
export function contentHunt(pattern: string): Operation[] {
  return [{ module: 'file', parameters: { searches: { s1: { paths: ['/data'], contents: [pattern] } } } }];
}

/** The cheap hunt that must be answered meanwhile. */
export const CHEAP_HUNT: Operation[] = [
  { module: 'file', parameters: { searches: { s1: { paths: ['/etc'], names: ['^passwd$'] } } } },
];
