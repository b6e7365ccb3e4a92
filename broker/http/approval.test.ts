import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Operation, SignedAction, UnsignedAction } from '../../protocol/action.js';
import { ActionListSchema, ActionRecordSchema, type ActionRecord } from '../../protocol/api.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { moduleSpecs } from '../../modules/registry.js';
import { Keyring, signDetached, verifyAll } from '../../protocol/signature.js';
import { signAs, unsignedAction } from '../../test/helpers/actions.js';
import { armoredPublicKey, fingerprint, privateKey, type TestPerson } from '../../test/helpers/keys.js';
import type { FakeAgent } from '../../test/helpers/broker/fake-agent.js';
import { errorCode, ServerHarness, waitFor } from '../../test/helpers/broker/harness.js';

const FIREWALL: Operation[] = [{ module: 'firewall', parameters: { op: 'add', ips: ['203.0.113.7'], dryrun: true } }];

let h: ServerHarness;
let agent: FakeAgent;
beforeEach(async () => {
  h = new ServerHarness();
});
afterEach(async () => {
  await h.teardown();
});

/** alice (admin), bob and carol enrolled; carol then disabled; mallory never enrolled. */
async function startWithTeam(extra: Parameters<ServerHarness['start']>[0] = {}): Promise<void> {
  await h.start(extra);
  for (const name of ['bob', 'carol'] as const) {
    expect((await h.api('POST', '/investigators', { body: { name, publicKey: armoredPublicKey(name) } })).status).toBe(
      201,
    );
  }
  await h.api('POST', `/investigators/${await fingerprint('carol')}/disable`);
  agent = await h.agent('agent-a');
}

function responseAction(opts: { expireAfter?: Date } = {}): UnsignedAction {
  return unsignedAction({ operations: FIREWALL, now: h.clock.now(), ...opts });
}

async function signatureBy(person: TestPerson, action: UnsignedAction | SignedAction): Promise<string> {
  return signDetached(canonicalActionBytes(action), await privateKey(person));
}

async function record(id: string): Promise<ActionRecord> {
  return ActionRecordSchema.parse((await h.api('GET', `/actions/${id}`)).body);
}

/** Alice submits a firewall action with her signature only: the server holds it. */
async function held(): Promise<SignedAction> {
  const signed = await signAs(responseAction(), ['alice']);
  expect((await h.submit(signed)).status).toBe(201);
  return signed;
}

function cosign(id: string, signature: string, as: TestPerson = 'bob') {
  return h.api('POST', `/actions/${id}/signatures`, { as, body: { signature } });
}

describe('two-person rule on the server', () => {
  it('holds a response action signed by one investigator: pending approval, nothing sent', async () => {
    await startWithTeam();
    const signed = await signAs(responseAction(), ['alice']);
    const res = await h.submit(signed);
    expect(res.status).toBe(201);
    expect(ActionRecordSchema.parse(res.body)).toMatchObject({
      status: 'pending',
      reason: 'pending approval',
      approval: { required: 2, signers: [await fingerprint('alice')] },
      counters: { targeted: 0, sent: 0 },
    });
    const pending = ActionListSchema.parse((await h.api('GET', '/actions?status=pending')).body);
    expect(pending.actions.map((a) => a.action.id)).toEqual([signed.id]);
    expect(ActionListSchema.parse((await h.api('GET', '/actions?status=inflight')).body).total).toBe(0);
    expect(agent.commands).toEqual([]);
  });

  it("launches on a second investigator's signature; agents receive both signatures", async () => {
    await startWithTeam();
    const signed = await held();

    const res = await cosign(signed.id, await signatureBy('bob', signed));

    expect(res.status).toBe(200);
    const approved = ActionRecordSchema.parse(res.body);
    const team = [await fingerprint('alice'), await fingerprint('bob')];
    expect(approved).toMatchObject({
      status: 'inflight',
      counters: { targeted: 1 },
      approval: { required: 2, signers: team },
      investigators: team,
    });
    expect(approved.reason).toBeUndefined();
    await waitFor(() => agent.commands.length === 1, 'the command');
    const sent = JSON.parse(agent.commands[0]?.action ?? '{}') as SignedAction;
    expect(sent.signatures).toHaveLength(2);
    const ring = await Keyring.fromArmored([armoredPublicKey('alice'), armoredPublicKey('bob')]);
    expect(await verifyAll(canonicalActionBytes(sent), sent.signatures, ring)).toEqual(team);
    const audit = await readFile(`${h.dataDir}/audit.log`, 'utf8');
    expect(audit).toContain('"what":"action.approved"');
  });

  it.each([
    {
      name: 'the same investigator twice',
      as: 'alice' as const,
      input: (a: SignedAction) => signatureBy('alice', a),
      wantStatus: 409,
      wantCode: 'CONFLICT',
    },
    {
      name: 'a signature over another action',
      as: 'bob' as const,
      input: () => signatureBy('bob', unsignedAction()),
      wantStatus: 400,
      wantCode: 'BAD_SIGNATURE',
    },
    {
      name: 'not a signature at all',
      as: 'bob' as const,
      input: async () => 'hello',
      wantStatus: 400,
      wantCode: 'BAD_SIGNATURE',
    },
    {
      name: "mallory's signature (never enrolled)",
      as: 'bob' as const,
      input: (a: SignedAction) => signatureBy('mallory', a),
      wantStatus: 400,
      wantCode: 'UNKNOWN_SIGNER',
    },
    {
      name: "carol's signature (disabled)",
      as: 'bob' as const,
      input: (a: SignedAction) => signatureBy('carol', a),
      wantStatus: 403,
      wantCode: 'FORBIDDEN',
    },
  ])('refuses $name, and the action stays held', async ({ as, input, wantStatus, wantCode }) => {
    await startWithTeam();
    const signed = await held();
    const res = await cosign(signed.id, await input(signed), as);
    expect({ status: res.status, code: errorCode(res) }).toEqual({ status: wantStatus, code: wantCode });
    expect(await record(signed.id)).toMatchObject({
      status: 'pending',
      reason: 'pending approval',
      action: { signatures: signed.signatures },
    });
    expect(await readFile(`${h.dataDir}/audit.log`, 'utf8')).toContain('"what":"action.signature_refused"');
  });

  it.each([
    { name: 'a body without a signature', body: {}, path: 'held', wantStatus: 400, wantCode: 'BAD_REQUEST' },
    { name: 'an extra key', body: { signature: 'x', also: 1 }, path: 'held', wantStatus: 400, wantCode: 'BAD_REQUEST' },
    {
      name: 'an unknown action',
      body: { signature: 'x' },
      path: 'f'.repeat(32),
      wantStatus: 404,
      wantCode: 'NOT_FOUND',
    },
    { name: 'a malformed action id', body: { signature: 'x' }, path: 'XYZ', wantStatus: 400, wantCode: 'BAD_REQUEST' },
  ])('refuses $name', async ({ body, path, wantStatus, wantCode }) => {
    await startWithTeam();
    const signed = await held();
    const res = await h.api('POST', `/actions/${path === 'held' ? signed.id : path}/signatures`, { as: 'bob', body });
    expect({ status: res.status, code: errorCode(res) }).toEqual({ status: wantStatus, code: wantCode });
  });

  it('refuses a signature on an action that is not held (409), and mallory cannot even call (401)', async () => {
    await startWithTeam();
    const plain = await signAs(unsignedAction({ now: h.clock.now() }), ['alice']);
    await h.submit(plain);
    const res = await cosign(plain.id, await signatureBy('bob', plain));
    expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 409, code: 'CONFLICT' });
    const signed = await held();
    const mallory = await cosign(signed.id, await signatureBy('mallory', signed), 'mallory');
    expect({ status: mallory.status, code: errorCode(mallory) }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('expires a held action at expireAfter; a late signature is refused', async () => {
    await startWithTeam();
    const signed = await signAs(responseAction({ expireAfter: new Date(h.clock.now().getTime() + 60_000) }), ['alice']);
    await h.submit(signed);

    h.clock.advance(61_000);

    await waitFor(async () => (await record(signed.id)).status === 'expired', 'expiry');
    expect((await record(signed.id)).reason).toBe('expired waiting for approval (1 of 2 signers)');
    const late = await cosign(signed.id, await signatureBy('bob', signed));
    expect({ status: late.status, code: errorCode(late) }).toEqual({ status: 409, code: 'CONFLICT' });
    expect(agent.commands).toEqual([]);
  });

  it('launches at once an action that arrives with two signatures', async () => {
    await startWithTeam();
    const signed = await signAs(responseAction(), ['alice', 'bob']);
    const res = ActionRecordSchema.parse((await h.submit(signed)).body);
    expect(res).toMatchObject({ status: 'inflight', approval: { required: 2 } });
    await waitFor(() => agent.commands.length === 1, 'the command');
  });

  it('leaves investigative actions alone (no approval field)', async () => {
    await startWithTeam();
    const res = ActionRecordSchema.parse(
      (await h.submit(await signAs(unsignedAction({ now: h.clock.now() }), ['alice']))).body,
    );
    expect(res.status).toBe('inflight');
    expect(res.approval).toBeUndefined();
  });

  it.each([
    {
      name: 'one signer is enough when told so',
      policy: { responseSigners: 1 },
      signers: ['alice'] as TestPerson[],
      want: 'inflight',
    },
    {
      name: 'three signers: two are not enough',
      policy: { responseSigners: 3 },
      signers: ['alice', 'bob'] as TestPerson[],
      want: 'pending',
    },
    {
      name: 'every action needs two when told so',
      policy: { defaultSigners: 2 },
      signers: ['alice'] as TestPerson[],
      want: 'pending',
      isInvestigative: true,
    },
  ])('server option: $name', async ({ policy, signers, want, isInvestigative }) => {
    await startWithTeam({ approval: policy });
    const action = isInvestigative === true ? unsignedAction({ now: h.clock.now() }) : responseAction();
    const res = ActionRecordSchema.parse((await h.submit(await signAs(action, signers))).body);
    expect(res.status).toBe(want);
  });

  it('keeps a held action held across a restart, and approves it afterwards', async () => {
    await startWithTeam();
    const signed = await held();
    await h.stop();
    await h.start();
    expect(await record(signed.id)).toMatchObject({ status: 'pending', reason: 'pending approval' });
    const again = await h.agent('agent-b');
    const res = await cosign(signed.id, await signatureBy('bob', signed));
    expect(ActionRecordSchema.parse(res.body).status).toBe('inflight');
    await waitFor(() => again.commands.length === 1, 'the command after restart');
  });

  it('checks parameters again at co-sign: a spec that changed while the action was held refuses it', async () => {
    // Submitted to a server whose firewall spec took anything; restarted with the real one.
    const lax = new Map([
      ...moduleSpecs,
      ['firewall', { ...(moduleSpecs.get('firewall') as AnyModuleSpec), params: z.record(z.string(), z.unknown()) }],
    ]);
    await startWithTeam({ moduleSpecs: lax });
    const signed = await signAs(
      unsignedAction({ operations: [{ module: 'firewall', parameters: { op: 'shred' } }], now: h.clock.now() }),
      ['alice'],
    );
    expect((await h.submit(signed)).status).toBe(201);
    await h.stop();
    await h.start();
    const res = await cosign(signed.id, await signatureBy('bob', signed));
    expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 400, code: 'INVALID_PARAMETERS' });
    expect((res.body as { error: { message: string } }).error.message).toContain(
      'operations.0.parameters.op (module firewall): expected one of add, remove, list, got "shred"',
    );
    expect(await record(signed.id)).toMatchObject({
      status: 'pending',
      reason: 'pending approval',
      approval: { signers: [await fingerprint('alice')] },
    });
  });

  it('GET /actions refuses an unknown status', async () => {
    await startWithTeam();
    const res = await h.api('GET', '/actions?status=waiting');
    expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 400, code: 'BAD_REQUEST' });
  });
});
