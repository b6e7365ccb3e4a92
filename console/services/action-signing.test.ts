import { describe, expect, it } from 'vitest';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { Keyring, verifyAll } from '../../protocol/signature.js';
import { signedAction, unsignedAction } from '../../test/helpers/actions.js';
import { armoredPublicKey, fingerprint, privateKeyPath } from '../../test/helpers/keys.js';
import { addSignature, parseActionFile, signAction } from './action-signing.js';
import { openKeyfileSigner } from './signer.js';

const noPassphrase = () => Promise.resolve('');

describe('parseActionFile', () => {
  it.each([
    { name: 'unsigned action', input: () => unsignedAction({ id: 'a'.repeat(32) }), wantSignatures: 0 },
    { name: 'signed action', input: () => ({ ...unsignedAction(), signatures: ['x'] }), wantSignatures: 1 },
  ])('accepts an $name', ({ input, wantSignatures }) => {
    expect(parseActionFile(input(), 'f.json').signatures).toHaveLength(wantSignatures);
  });

  it.each([
    {
      name: 'extra key',
      input: { ...unsignedAction(), extra: 1 },
      wantMessage: /f\.json: not a valid action: .*extra/,
    },
    { name: 'bad id', input: { ...unsignedAction(), id: 'XYZ' }, wantMessage: /id: expected 32 to 64 lowercase hex/ },
    { name: 'signatures not an array', input: { ...unsignedAction(), signatures: 'sig' }, wantMessage: /signatures/ },
    { name: 'not an object', input: 42, wantMessage: /not a valid action/ },
  ])('refuses $name', ({ input, wantMessage }) => {
    expect(() => parseActionFile(input, 'f.json')).toThrow(wantMessage);
  });
});

describe('addSignature', () => {
  it('adds a second signature over the same canonical bytes; both verify', async () => {
    const bob = await openKeyfileSigner(privateKeyPath('bob'), noPassphrase);
    const action = await signedAction(['alice']);
    const cosigned = await addSignature(action, bob);
    expect(cosigned.signatures).toHaveLength(2);
    const ring = await Keyring.fromArmored([armoredPublicKey('alice'), armoredPublicKey('bob')]);
    const signers = await verifyAll(canonicalActionBytes(cosigned), cosigned.signatures, ring);
    expect(signers.sort()).toEqual([await fingerprint('alice'), await fingerprint('bob')].sort());
  });

  it('refuses to sign twice with the same key (CONFLICT)', async () => {
    const alice = await openKeyfileSigner(privateKeyPath('alice'), noPassphrase);
    const once = await signAction(unsignedAction(), alice);
    await expect(addSignature(once, alice)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('already signed by your key'),
    });
  });

  it('refuses a file whose existing signature is not OpenPGP', async () => {
    const alice = await openKeyfileSigner(privateKeyPath('alice'), noPassphrase);
    await expect(addSignature({ ...unsignedAction(), signatures: ['garbage'] }, alice)).rejects.toMatchObject({
      code: 'BAD_SIGNATURE',
    });
  });
});
