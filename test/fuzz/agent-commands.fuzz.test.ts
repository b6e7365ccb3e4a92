import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHEAP_HUNT, startAgentRig, type AgentRig } from '../helpers/agent/worker-rig.js';
import { ServerToAgentSchema } from '../../protocol/messages.js';
import { commandsTopic } from '../../protocol/topics.js';
import { signedAction } from '../helpers/actions.js';
import { fuzzParams, fuzzTimeout, mutationOf, payloadFrom } from './arbitraries.js';

/**
 * Fuzzing what the server sends a real agent (commands with their signed actions, cancels,
 * policy bundles) over a real broker. Properties: the agent stays up and keeps answering a good
 * hunt; every well-formed command envelope gets exactly one answer, `success` or a refusal with
 * a code protocol/errors.ts declares; bad envelopes and bundles are logged, never crash it.
 */
const KNOWN_CODES = new Set(
  [...readFileSync(new URL('../../protocol/errors.ts', import.meta.url), 'utf8').matchAll(/\|\s*'([A-Z_]+)'/g)].map(
    (m) => m[1],
  ),
);

let rig: AgentRig;
let action: Record<string, unknown>;
const logs: string[] = [];

beforeAll(async () => {
  rig = await startAgentRig({ log: (level, m) => logs.push(`${level} ${m}`) });
  action = await signedAction(['alice']);
}, 60_000);
afterAll(() => rig.close());

/** A command envelope whose action is mutated, or an envelope that is itself mutated, or a cancel or policy message. */
function serverMessages(commandId: string): fc.Arbitrary<string | Uint8Array> {
  const envelope = (a: string) => ({ v: 1, kind: 'command', commandId, action: a });
  return fc.oneof(
    { weight: 4, arbitrary: mutationOf(action).map((a) => JSON.stringify(envelope(JSON.stringify(a) ?? 'null'))) },
    { weight: 3, arbitrary: payloadFrom(envelope(JSON.stringify(action))) },
    { weight: 1, arbitrary: payloadFrom({ v: 1, kind: 'cancel', commandId }) },
    {
      weight: 1,
      arbitrary: payloadFrom({
        v: 1,
        kind: 'policy',
        bundle: JSON.stringify({ v: 1, version: 2, body: {}, signatures: [] }),
      }),
    },
  );
}

function expectsAnswer(payload: string | Uint8Array): string | undefined {
  try {
    const parsed = ServerToAgentSchema.safeParse(JSON.parse(Buffer.from(payload).toString()));
    return parsed.success && parsed.data.kind === 'command' ? parsed.data.commandId : undefined;
  } catch {
    return undefined;
  }
}

describe('fuzzing server → agent messages against a real agent', () => {
  it(
    'every well-formed command gets one coded answer; the agent stays up',
    async () => {
      const cases = fc.constant(null).chain(() => serverMessages(randomBytes(16).toString('hex')));
      await fc.assert(
        fc.asyncProperty(cases, async (payload) => {
          const commandId = expectsAnswer(payload);
          await rig.mq.server.publishAsync(commandsTopic(rig.agent.agentId), Buffer.from(payload), { qos: 1 });
          if (commandId === undefined) return;
          const result = await rig.result(commandId);
          if (result.status !== 'success') {
            expect(result.status).toBe('failed');
            expect(KNOWN_CODES.has(result.error?.code ?? ''), `undeclared code ${result.error?.code}`).toBe(true);
          }
        }),
        fuzzParams(60),
      );
      const good = await rig.hunt(CHEAP_HUNT);
      expect(await rig.result(good)).toMatchObject({ status: 'success' });
      expect(logs.filter((l) => l.startsWith('error '))).toEqual([]);
    },
    fuzzTimeout(120_000),
  );
});
