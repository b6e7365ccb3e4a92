import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Operation } from '../../protocol/action.js';
import { ActionRecordSchema, type ActionRecord } from '../../protocol/api.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { signDetached } from '../../protocol/signature.js';
import { signAs, unsignedAction } from '../../test/helpers/actions.js';
import { armoredPublicKey, fingerprint, privateKey } from '../../test/helpers/keys.js';
import type { FakeAgent } from '../../test/helpers/broker/fake-agent.js';
import { errorCode, ServerHarness, waitFor } from '../../test/helpers/broker/harness.js';

const FIREWALL: Operation[] = [{ module: 'firewall', parameters: { op: 'add', ips: ['203.0.113.7'], dryrun: true } }];
const HOUR_MS = 3_600_000;

let h: ServerHarness;
let agent: FakeAgent;
beforeEach(async () => {
  h = new ServerHarness();
  await h.start();
  for (const name of ['bob', 'carol'] as const) {
    expect((await h.api('POST', '/investigators', { body: { name, publicKey: armoredPublicKey(name) } })).status).toBe(
      201,
    );
  }
  agent = await h.agent('agent-a');
});
afterEach(async () => {
  await h.teardown();
});

async function record(id: string): Promise<ActionRecord> {
  return ActionRecordSchema.parse((await h.api('GET', `/actions/${id}`)).body);
}

async function disable(person: 'bob' | 'carol'): Promise<void> {
  expect((await h.api('POST', `/investigators/${await fingerprint(person)}/disable`)).status).toBe(200);
}

describe('server rechecks stored signatures against the active investigators', () => {
  it('refuses a co-signature on an action whose first signer was disabled since, naming them; nothing is sent', async () => {
    const held = await signAs(unsignedAction({ operations: FIREWALL, now: h.clock.now() }), ['carol']);
    expect((await h.submit(held, 'carol')).status).toBe(201);
    await disable('carol');

    const signature = await signDetached(canonicalActionBytes(held), await privateKey('bob'));
    const res = await h.api('POST', `/actions/${held.id}/signatures`, { as: 'bob', body: { signature } });

    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe('SIGNER_DISABLED');
    expect(JSON.stringify(res.body)).toMatch(
      new RegExp(`carol \\(${await fingerprint('carol')}\\) is disabled: their signature no longer counts`),
    );
    expect(await record(held.id)).toMatchObject({
      status: 'pending',
      approval: { signers: [await fingerprint('carol')] },
      counters: { sent: 0 },
    });
    expect(agent.commands).toEqual([]);

    // Honest operation continues: alice and bob still launch a response action together.
    const honest = await signAs(unsignedAction({ operations: FIREWALL, now: h.clock.now() }), ['alice']);
    expect((await h.submit(honest)).status).toBe(201);
    const bobs = await signDetached(canonicalActionBytes(honest), await privateKey('bob'));
    expect(
      (await h.api('POST', `/actions/${honest.id}/signatures`, { as: 'bob', body: { signature: bobs } })).status,
    ).toBe(200);
    await waitFor(() => agent.commands.length === 1, 'the honest command');
    expect(JSON.parse(agent.commands[0]?.action ?? '{}')).toMatchObject({ id: honest.id });
  });

  it('does not launch a scheduled action whose signer was disabled before validFrom; the reason names them', async () => {
    const now = h.clock.now();
    const later = {
      now,
      validFrom: new Date(now.getTime() + HOUR_MS),
      expireAfter: new Date(now.getTime() + 2 * HOUR_MS),
    };
    const scheduled = await signAs(unsignedAction(later), ['bob']);
    const honest = await signAs(unsignedAction(later), ['alice']);
    expect((await h.submit(scheduled, 'bob')).status).toBe(201);
    expect((await h.submit(honest)).status).toBe(201);
    await disable('bob');

    h.clock.advance(HOUR_MS + 1000);

    await waitFor(async () => (await record(scheduled.id)).status === 'invalid', 'the scheduled action to be refused');
    expect((await record(scheduled.id)).reason).toMatch(
      new RegExp(`SIGNER_DISABLED: bob \\(${await fingerprint('bob')}\\) is disabled`),
    );
    await waitFor(() => agent.commands.length === 1, "alice's scheduled command");
    expect(agent.commands.map((c) => (JSON.parse(c.action) as { id: string }).id)).toEqual([honest.id]);
    const audit = await import('node:fs/promises').then((fs) => fs.readFile(`${h.dataDir}/audit.log`, 'utf8'));
    expect(audit).toMatch(/action\.launch_refused/);
  });

  it('does not launch an approved, scheduled response action once its co-signer is disabled', async () => {
    const now = h.clock.now();
    const action = await signAs(
      unsignedAction({
        operations: FIREWALL,
        now,
        validFrom: new Date(now.getTime() + HOUR_MS),
        expireAfter: new Date(now.getTime() + 2 * HOUR_MS),
      }),
      ['alice'],
    );
    expect((await h.submit(action)).status).toBe(201);
    const bobs = await signDetached(canonicalActionBytes(action), await privateKey('bob'));
    expect(
      (await h.api('POST', `/actions/${action.id}/signatures`, { as: 'bob', body: { signature: bobs } })).status,
    ).toBe(200);
    await disable('bob');

    h.clock.advance(HOUR_MS + 1000);

    await waitFor(async () => (await record(action.id)).status === 'invalid', 'the approved action to be refused');
    expect(agent.commands).toEqual([]);
  });
});
