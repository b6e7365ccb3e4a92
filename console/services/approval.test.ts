import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServerHarness, waitFor } from '../../test/helpers/broker/harness.js';
import type { SignedAction } from '../../protocol/action.js';
import { API_PREFIX, ActionRecordSchema, type InvestigatorRecord } from '../../protocol/api.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { Keyring, verifyAll } from '../../protocol/signature.js';
import { signAs, unsignedAction } from '../../test/helpers/actions.js';
import { armoredPublicKey, fingerprint, privateKeyPath, type TestPerson } from '../../test/helpers/keys.js';
import { ApiClient } from './api-client.js';
import { coSign } from './approval.js';
import { createConsoleBackend } from './console-backend.js';
import { openKeyfileSigner, type Signer } from './signer.js';
import { codeOf } from '../../test/helpers/error-code.js';

const noPassphrase = () => Promise.resolve('');
const signerOf = (person: TestPerson): Promise<Signer> => openKeyfileSigner(privateKeyPath(person), noPassphrase);

async function investigator(person: TestPerson, status: 'active' | 'disabled' = 'active'): Promise<InvestigatorRecord> {
  return {
    fingerprint: await fingerprint(person),
    name: person,
    publicKey: armoredPublicKey(person),
    isAdmin: false,
    status,
    createdAt: new Date().toISOString(),
  };
}

describe('coSign', () => {
  it("adds bob's signature over the canonical bytes of exactly the shown action", async () => {
    const shown = await signAs(unsignedAction(), ['alice']);
    const { signature, existingSigners } = await coSign(shown, await signerOf('bob'), [
      await investigator('alice'),
      await investigator('bob'),
    ]);
    expect(existingSigners).toEqual([await fingerprint('alice')]);
    const ring = await Keyring.fromArmored([armoredPublicKey('alice'), armoredPublicKey('bob')]);
    expect(await verifyAll(canonicalActionBytes(shown), [...shown.signatures, signature], ring)).toEqual([
      await fingerprint('alice'),
      await fingerprint('bob'),
    ]);
  });

  it.each([
    {
      name: 'an action the approver already signed',
      signer: 'alice' as const,
      input: () => signAs(unsignedAction(), ['alice']),
      wantCode: 'CONFLICT',
    },
    {
      name: 'a signature that does not cover what is shown',
      signer: 'bob' as const,
      input: async (): Promise<SignedAction> => ({
        ...(await signAs(unsignedAction(), ['alice'])),
        target: "os = 'linux'",
      }),
      wantCode: 'BAD_SIGNATURE',
    },
    {
      name: 'a signature by someone unknown',
      signer: 'bob' as const,
      input: () => signAs(unsignedAction(), ['mallory']),
      wantCode: 'UNKNOWN_SIGNER',
    },
    {
      name: 'no signature at all',
      signer: 'bob' as const,
      input: async () => ({ ...unsignedAction(), signatures: [] }),
      wantCode: 'NO_SIGNATURE',
    },
  ])('refuses $name', async ({ signer, input, wantCode }) => {
    const team = [await investigator('alice'), await investigator('bob')];
    expect(await codeOf(coSign(await input(), await signerOf(signer), team))).toBe(wantCode);
  });
});

describe('console backend approveAction against the real server', () => {
  let h: ServerHarness;
  beforeEach(async () => {
    h = new ServerHarness();
    await h.start();
    await h.api('POST', '/investigators', { body: { name: 'bob', publicKey: armoredPublicKey('bob') } });
  });
  afterEach(async () => {
    await h.teardown();
  });

  async function backendOf(person: TestPerson) {
    const signer = await signerOf(person);
    const client = new ApiClient({
      serverUrl: h.server.httpUrl.slice(0, -API_PREFIX.length),
      signer,
      now: () => h.clock.now(),
    });
    return createConsoleBackend({
      client,
      signer,
      investigator: { name: person, fingerprint: signer.fingerprint, backend: 'keyfile' },
      now: () => h.clock.now(),
    });
  }

  it('co-signs a held firewall action and the server launches it with both signatures', async () => {
    const agent = await h.agent('agent-a');
    const shown = await signAs(
      unsignedAction({ operations: [{ module: 'firewall', parameters: { op: 'list' } }], now: h.clock.now() }),
      ['alice'],
    );
    expect(ActionRecordSchema.parse((await h.submit(shown)).body).status).toBe('pending');

    const record = await (await backendOf('bob')).approveAction(shown.id, shown);

    expect(record.status).toBe('inflight');
    await waitFor(() => agent.commands.length === 1, 'the command');
    expect((JSON.parse(agent.commands[0]?.action ?? '{}') as SignedAction).signatures).toHaveLength(2);
  });

  it('refuses to approve when the id and the shown action disagree, sending nothing', async () => {
    const shown = await signAs(
      unsignedAction({ operations: [{ module: 'firewall', parameters: { op: 'list' } }], now: h.clock.now() }),
      ['alice'],
    );
    await h.submit(shown);
    expect(await codeOf((await backendOf('bob')).approveAction('f'.repeat(32), shown))).toBe('BAD_REQUEST');
    expect(ActionRecordSchema.parse((await h.api('GET', `/actions/${shown.id}`)).body).action.signatures).toHaveLength(
      1,
    );
  });
});
