import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { compileLineRegex } from '../../../modules/shared/search/regex.js';
import {
  CHEAP_HUNT,
  COSTLY_PATTERN,
  contentHunt,
  startAgentRig,
  writeLongLines,
  type AgentRig,
} from '../../helpers/agent/worker-rig.js';
import { hogRunners, hogSpecs } from '../../helpers/agent/hog-module.js';
import type { Attack } from '../attack.js';

/**
 * Attacks on the stall layer (issue 9, "agents that cannot be stalled"): an investigator's
 * pattern or a module that would freeze the agent's event loop (heartbeats, other commands,
 * cancels) or exhaust its memory. Each runs a real agent (module worker pool included) on a real
 * broker, and asserts that the harmful part did not run or was stopped, and that the agent
 * still answers.
 */

/** Patterns that backtracking engines take exponential or n * 1000 steps on: the first one V8 used to run. */
const BACKTRACKING_PATTERNS = ['a{1000}bz', '(a+)+c$', '(a|aa)*c', '(?i)(a|A)+c$', '[^x]{999}bzz'];

async function withRig<T>(opts: Parameters<typeof startAgentRig>[0], body: (rig: AgentRig) => Promise<T>): Promise<T> {
  const rig = await startAgentRig(opts);
  try {
    return await body(rig);
  } finally {
    await rig.close();
  }
}

async function stillAnswers(rig: AgentRig): Promise<void> {
  expect(await rig.result(await rig.hunt(CHEAP_HUNT))).toMatchObject({
    status: 'success',
    operations: [{ isFound: true }],
  });
}

function longLinesUnderData(rig: AgentRig): void {
  mkdirSync(join(rig.root, 'data'));
  writeLongLines(join(rig.root, 'data', 'long.log'), 4);
}

export const stallAttacks: Attack[] = [
  {
    name: 'catastrophic-backtracking content patterns on 1 MiB lines: no backtracking engine runs them, the hunt completes',
    timeoutMs: 60_000,
    run: () =>
      withRig({ config: { moduleTimeoutMs: 30_000 } }, async (rig) => {
        // Nothing harmful ran: none of these reaches V8's backtracking engine.
        for (const pattern of BACKTRACKING_PATTERNS)
          expect({ pattern, engine: compileLineRegex(pattern).engine }).toEqual({ pattern, engine: 're2js' });
        longLinesUnderData(rig);
        const searches = Object.fromEntries(
          BACKTRACKING_PATTERNS.map((p, i) => [`s${i}`, { paths: ['/data'], contents: [p] }]),
        );
        const result = await rig.result(await rig.hunt([{ module: 'file', parameters: { searches } }]));
        // Linear time: answered in full, not timed out, and nothing matches.
        expect(result).toMatchObject({ status: 'success', operations: [{ isFound: false }] });
        await stillAnswers(rig);
      }),
  },
  {
    name: 'a merely costly content pattern: MODULE_TIMEOUT with how far it got, while the agent answers another hunt',
    timeoutMs: 60_000,
    run: () =>
      withRig({ config: { moduleTimeoutMs: 4000, heartbeatMs: 250 } }, async (rig) => {
        longLinesUnderData(rig);
        const from = rig.mq.inbox.messages.length;
        const costly = await rig.hunt(contentHunt(COSTLY_PATTERN));
        // Answered meanwhile: the costly one has no result yet.
        await stillAnswers(rig);
        expect(rig.mq.inbox.messages.some((m) => m.message.kind === 'result' && m.message.commandId === costly)).toBe(
          false,
        );
        const stopped = await rig.result(costly);
        expect(stopped).toMatchObject({ status: 'timeout', error: { code: 'MODULE_TIMEOUT' } });
        expect(stopped.error?.message).toMatch(/within 4000 ms; it got as far as/);
        // Online throughout: heartbeats kept coming while the costly hunt ran.
        expect(rig.heartbeatsSince(from)).toBeGreaterThanOrEqual(3);
        await stillAnswers(rig);
      }),
  },
  {
    name: 'a module that eats memory: MODULE_MEMORY_LIMIT, and the agent lives',
    timeoutMs: 90_000,
    run: () =>
      withRig({ specs: hogSpecs, runners: hogRunners, config: { moduleMemoryMb: 128 } }, async (rig) => {
        const result = await rig.result(await rig.hunt([{ module: 'hog', parameters: { mode: 'memory' } }]));
        expect(result).toMatchObject({ status: 'failed', error: { code: 'MODULE_MEMORY_LIMIT' } });
        expect(result.error?.message).toMatch(/memory ceiling of 128 MB/);
        await stillAnswers(rig);
      }),
  },
];
