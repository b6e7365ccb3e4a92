import { join } from 'node:path';
import { expect } from 'vitest';
import { InvestigatorListSchema } from '../../../protocol/api.js';
import { canonicalActionBytes } from '../../../protocol/canonical.js';
import { PolicyViewSchema } from '../../../protocol/policy-api.js';
import { policySigningBytes } from '../../../protocol/policy.js';
import { signDetached } from '../../../protocol/signature.js';
import { nextPolicyFrom } from '../../../console/services/policy.js';
import { expectAgentJsonToList } from '../../helpers/agent-json.js';
import { errorCode } from '../../helpers/broker/harness.js';
import { signAs, signedAction, unsignedAction } from '../../helpers/actions.js';
import { armoredPublicKey, fingerprint, privateKey, type TestPerson } from '../../helpers/keys.js';
import { signedPolicyText } from '../../helpers/policy.js';
import { PolicyWorld } from '../../helpers/policy-fleet.js';
import type { Attack } from '../attack.js';

/**
 * Attacks on the policy layer (revocation and rotation): stale or forged policy bundles pushed
 * to an agent by a stolen server or broker, and signatures of investigators disabled since they
 * signed. Each row runs a real server, a real agent configured from the server's agent.json and
 * real keys; each asserts that nothing the attack wanted ran and that honest work still does.
 */

const HOUR_MS = 3_600_000;
const DRY_RUN_PROCESS = [{ module: 'process', parameters: { names: ['^nothing-matches-this$'], dryrun: true } }];

async function enrol(w: PolicyWorld, person: TestPerson, isAdmin = false): Promise<void> {
  const res = await w.h.api('POST', '/investigators', {
    body: { name: person, publicKey: armoredPublicKey(person), isAdmin },
  });
  expect(res.status).toBe(201);
  expectAgentJsonToList(join(w.h.dataDir, 'agent.json'), person);
}

async function disable(w: PolicyWorld, person: TestPerson): Promise<void> {
  expect((await w.h.api('POST', `/investigators/${await fingerprint(person)}/disable`)).status).toBe(200);
}

/** What `mig policy publish -y` does, as `admin`: the next bundle from the active investigators. Returns its text. */
async function publishAs(w: PolicyWorld, admin: TestPerson): Promise<string> {
  const view = PolicyViewSchema.parse((await w.h.api('GET', '/policy')).body);
  const { investigators } = InvestigatorListSchema.parse((await w.h.api('GET', '/investigators')).body);
  const { unsigned } = nextPolicyFrom(view, investigators, { now: w.h.clock.now() });
  const text = JSON.stringify({
    ...unsigned,
    signatures: [await signDetached(policySigningBytes(unsigned), await privateKey(admin))],
  });
  const res = await w.h.api('POST', '/policy', { as: admin, body: { bundle: text } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await w.waitForPolicyVersion(unsigned.version);
  return text;
}

/** Honest work still gets done: alice's file hunt through the server finds /etc/passwd on the agent. */
async function honestHuntSucceeds(w: PolicyWorld): Promise<void> {
  const action = await signedAction(['alice'], { now: w.h.clock.now() });
  expect((await w.h.submit(action)).status).toBe(201);
  const [command] = await w.completed(action.id);
  expect(command).toMatchObject({ status: 'success', isFound: true });
}

/** The agent refused the action: a failed answer with the code, and no operation ran. */
async function refusedDirectly(w: PolicyWorld, signer: TestPerson, wantCode: string): Promise<void> {
  const answer = await w.sendDirect(await signedAction([signer], { now: w.h.clock.now() }));
  expect(answer).toMatchObject({ status: 'failed', error: { code: wantCode }, operations: [] });
}

async function inWorld(
  setup: (w: PolicyWorld) => Promise<void>,
  opts: Parameters<PolicyWorld['h']['start']>[0] = {},
): Promise<void> {
  const w = new PolicyWorld();
  try {
    await w.h.start(opts);
    await setup(w);
  } finally {
    await w.teardown();
  }
}

// Alike on purpose (duplicates): attack rows, one a case; each spells out its own world and steps
// so it reads alone.
export const policyAttacks: Attack[] = [
  {
    name: 'policy: a rolled-back bundle that still trusts a revoked investigator is refused by the agent',
    timeoutMs: 60_000,
    run: () =>
      inWorld(async (w) => {
        await enrol(w, 'bob');
        await w.startAgent();
        const trustsBob = await publishAs(w, 'alice');
        await disable(w, 'bob');
        await publishAs(w, 'alice'); // version 2: bob is gone
        await w.connectAttacker();

        await w.pushBundle(trustsBob);

        await w.waitForAgentLog(/refused a bundle, keeping version 2: POLICY_ROLLBACK/);
        expect((await w.agentRecord()).policyVersion).toBe(2);
        await refusedDirectly(w, 'bob', 'UNKNOWN_SIGNER');
        await honestHuntSucceeds(w);
      }),
  },
  {
    name: 'policy: a bundle below the admin threshold is neither published by the server nor applied by the agent',
    timeoutMs: 60_000,
    run: () =>
      inWorld(
        async (w) => {
          await enrol(w, 'bob', true);
          await w.startAgent(); // baked: admins alice and bob, threshold 2
          const forged = await signedPolicyText({
            version: 1,
            investigators: ['alice', 'bob', 'mallory'],
            admins: ['alice', 'bob'],
            threshold: 2,
            signers: ['alice'],
          });
          const posted = await w.h.api('POST', '/policy', { body: { bundle: forged } });
          expect(posted.status).toBe(202); // pending, not pushed
          await w.connectAttacker();

          await w.pushBundle(forged); // a stolen server pushes it anyway

          await w.waitForAgentLog(/refused a bundle, keeping version 0: POLICY_UNDER_SIGNED/);
          expect((await w.agentRecord()).policyVersion).toBe(0);
          await refusedDirectly(w, 'mallory', 'UNKNOWN_SIGNER');
          await honestHuntSucceeds(w);
        },
        { policyThreshold: 2 },
      ),
  },
  {
    name: 'policy: a bundle signed by a non-admin investigator is refused by the server and by the agent',
    timeoutMs: 60_000,
    run: () =>
      inWorld(async (w) => {
        await enrol(w, 'bob');
        await w.startAgent();
        const forged = await signedPolicyText({
          version: 1,
          investigators: ['alice', 'bob', 'mallory'],
          signers: ['bob'],
        });
        const posted = await w.h.api('POST', '/policy', { body: { bundle: forged } });
        expect({ status: posted.status, code: errorCode(posted) }).toEqual({
          status: 403,
          code: 'POLICY_UNDER_SIGNED',
        });
        await w.connectAttacker();

        await w.pushBundle(forged);

        await w.waitForAgentLog(/refused a bundle, keeping version 0: POLICY_UNDER_SIGNED/);
        await refusedDirectly(w, 'mallory', 'UNKNOWN_SIGNER');
        await honestHuntSucceeds(w);
      }),
  },
  {
    name: "policy: a disabled investigator's signature does not count when a second investigator co-signs",
    timeoutMs: 60_000,
    run: () =>
      inWorld(async (w) => {
        await enrol(w, 'bob');
        await enrol(w, 'carol');
        await w.startAgent();
        const held = await signAs(unsignedAction({ operations: DRY_RUN_PROCESS, now: w.h.clock.now() }), ['carol']);
        expect((await w.h.submit(held, 'carol')).status).toBe(201);
        await disable(w, 'carol');

        const cosign = await w.h.api('POST', `/actions/${held.id}/signatures`, {
          as: 'bob',
          body: { signature: await signDetached(canonicalActionBytes(held), await privateKey('bob')) },
        });

        expect({ status: cosign.status, code: errorCode(cosign) }).toEqual({ status: 403, code: 'SIGNER_DISABLED' });
        expect(JSON.stringify(cosign.body)).toContain(`carol (${await fingerprint('carol')}) is disabled`);
        expect(await w.action(held.id)).toMatchObject({ status: 'pending', counters: { sent: 0 } });
        expect(await w.commands(held.id)).toEqual([]);
        // Honest: alice and bob together still run a response action (a dry run) on the agent.
        const honest = await signAs(unsignedAction({ operations: DRY_RUN_PROCESS, now: w.h.clock.now() }), ['alice']);
        expect((await w.h.submit(honest)).status).toBe(201);
        const bobs = await signDetached(canonicalActionBytes(honest), await privateKey('bob'));
        expect(
          (await w.h.api('POST', `/actions/${honest.id}/signatures`, { as: 'bob', body: { signature: bobs } })).status,
        ).toBe(200);
        expect(await w.completed(honest.id)).toMatchObject([{ status: 'success' }]);
      }),
  },
  {
    name: 'policy: a scheduled action whose signer is disabled before it starts never launches',
    timeoutMs: 60_000,
    run: () =>
      inWorld(async (w) => {
        await enrol(w, 'bob');
        await w.startAgent();
        const now = w.h.clock.now();
        const window = {
          now,
          validFrom: new Date(now.getTime() + HOUR_MS),
          expireAfter: new Date(now.getTime() + 2 * HOUR_MS),
        };
        const byBob = await signedAction(['bob'], window);
        const byAlice = await signedAction(['alice'], window);
        expect((await w.h.submit(byBob, 'bob')).status).toBe(201);
        expect((await w.h.submit(byAlice)).status).toBe(201);
        await disable(w, 'bob');

        w.h.clock.advance(HOUR_MS + 1000);

        const [aliceCommand] = await w.completed(byAlice.id);
        expect(aliceCommand).toMatchObject({ status: 'success', isFound: true });
        const refused = await w.action(byBob.id);
        expect(refused.status).toBe('invalid');
        expect(refused.reason).toContain(`bob (${await fingerprint('bob')}) is disabled`);
        expect(await w.commands(byBob.id)).toEqual([]);
      }),
  },
  {
    name: "policy: an agent that received the bundle refuses the disabled investigator while an active one's action runs",
    timeoutMs: 60_000,
    run: () =>
      inWorld(async (w) => {
        await enrol(w, 'bob');
        await w.startAgent();
        await w.connectAttacker();
        expect(await w.sendDirect(await signedAction(['bob'], { now: w.h.clock.now() }))).toMatchObject({
          status: 'success',
        });
        await disable(w, 'bob');

        await publishAs(w, 'alice');

        // The server refuses bob now; a stolen server sends his action anyway: the agent refuses it.
        expect((await w.h.submit(await signedAction(['bob'], { now: w.h.clock.now() }), 'alice')).status).toBe(403);
        await refusedDirectly(w, 'bob', 'UNKNOWN_SIGNER');
        await honestHuntSucceeds(w);
      }),
  },
];
