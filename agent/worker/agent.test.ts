import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// Alike on purpose (duplicates): both this test and test/adversarial/rows/stall.ts drive the shared worker rig
// (test/helpers/agent/worker-rig.ts) and import the same names from it.
import {
  CHEAP_HUNT,
  COSTLY_PATTERN,
  contentHunt,
  startAgentRig,
  writeLongLines,
  type AgentRig,
} from '../../test/helpers/agent/worker-rig.js';

let rig: AgentRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('an agent busy with a costly content hunt', () => {
  it('keeps its heartbeats, answers another hunt meanwhile, and stops the costly one on cancel', async () => {
    rig = await startAgentRig({ config: { heartbeatMs: 200 } });
    mkdirSync(join(rig.root, 'data'));
    writeLongLines(join(rig.root, 'data', 'long.log'), 4);
    const costly = await rig.hunt(contentHunt(COSTLY_PATTERN));
    const cheap = await rig.hunt(CHEAP_HUNT);
    const answered = await rig.result(cheap);
    expect(answered).toMatchObject({ status: 'success', operations: [{ isFound: true }] });
    // Heartbeats keep coming while the costly hunt still runs (it has no result yet).
    const from = rig.mq.inbox.messages.length;
    await rig.mq.inbox.waitFor((m) => m.kind === 'heartbeat', from);
    await rig.mq.inbox.waitFor((m) => m.kind === 'heartbeat', rig.mq.inbox.messages.length);
    expect(rig.heartbeatsSince(from)).toBeGreaterThanOrEqual(2);
    expect(rig.mq.inbox.messages.some((m) => m.message.kind === 'result' && m.message.commandId === costly)).toBe(
      false,
    );
    await rig.cancel(costly);
    const stopped = await rig.result(costly);
    expect(stopped).toMatchObject({ status: 'cancelled', error: { code: 'MODULE_CANCELLED' } });
    expect(stopped.error?.message).toMatch(/cancelled; it got as far as .*files(Visited|Checked) 1/);
    // And the agent still answers.
    expect(await rig.result(await rig.hunt(CHEAP_HUNT))).toMatchObject({ status: 'success' });
  });

  it('times the costly hunt out with MODULE_TIMEOUT, saying how far it got', async () => {
    rig = await startAgentRig({ config: { moduleTimeoutMs: 3000 } });
    mkdirSync(join(rig.root, 'data'));
    writeLongLines(join(rig.root, 'data', 'long.log'), 4);
    const result = await rig.result(await rig.hunt(contentHunt(COSTLY_PATTERN)));
    expect(result).toMatchObject({ status: 'timeout', error: { code: 'MODULE_TIMEOUT' } });
    expect(result.error?.message).toMatch(/within 3000 ms; it got as far as .*files(Visited|Checked) 1/);
    expect(await rig.result(await rig.hunt(CHEAP_HUNT))).toMatchObject({ status: 'success' });
  });
});
