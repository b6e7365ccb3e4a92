import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Keyring, verifyAll } from '../../protocol/signature.js';
import { CAROL_PASSPHRASE, armoredPublicKey, fingerprint, privateKeyPath } from '../../test/helpers/keys.js';
import { gpgHomeWithKey, type GpgHome } from '../../test/helpers/gpg.js';
import { createGpgSigner, findSecretKey, isGpgAvailable } from './gpg.js';
import type { PassphraseSource } from './passphrase.js';
import { createSigner, generateIdentity, openKeyfileSigner, type Signer } from './signer.js';

const bytes = new TextEncoder().encode('{"canonical":"action bytes"}');

async function verifiesWith(signer: Signer, signature: string): Promise<string[]> {
  const ring = await Keyring.fromArmored([await signer.publicKeyArmored()]);
  return verifyAll(bytes, [signature], ring);
}

function fixedPassphrase(value: string): PassphraseSource & { calls: number } {
  const source = Object.assign(
    async () => {
      source.calls++;
      return value;
    },
    { calls: 0 },
  );
  return source;
}

describe('keyfile signer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mig-signer-'));
    copyFileSync(privateKeyPath('carol'), join(dir, 'investigator.key.asc'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('unlocks carol with her passphrase once and signs verifiably', async () => {
    const passphrase = fixedPassphrase(CAROL_PASSPHRASE);
    const signer = await createSigner(
      { kind: 'keyfile', path: 'investigator.key.asc' },
      { home: dir, env: {}, getPassphrase: passphrase },
    );
    expect(signer.fingerprint).toBe(await fingerprint('carol'));
    const first = await signer.sign(bytes);
    await signer.sign(bytes);
    expect(passphrase.calls).toBe(1);
    const ring = await Keyring.fromArmored([armoredPublicKey('carol')]);
    expect(await verifyAll(bytes, [first], ring)).toEqual([await fingerprint('carol')]);
  });

  it('refuses a wrong passphrase with SIGNER_FAILED and asks again next time', async () => {
    const passphrase = fixedPassphrase('wrong');
    const signer = await openKeyfileSigner(join(dir, 'investigator.key.asc'), passphrase);
    await expect(signer.sign(bytes)).rejects.toMatchObject({ code: 'SIGNER_FAILED' });
    await expect(signer.sign(bytes)).rejects.toMatchObject({ code: 'SIGNER_FAILED' });
    expect(passphrase.calls).toBe(2);
  });

  it.each([
    { name: 'missing file', file: 'nope.asc', wantMessage: /cannot read the private key/ },
    { name: 'not a key', file: 'garbage.asc', wantMessage: /not an armored OpenPGP private key/ },
  ])('$name → SIGNER_FAILED', async ({ file, wantMessage }) => {
    writeFileSync(join(dir, 'garbage.asc'), 'hello\n');
    const err = await openKeyfileSigner(join(dir, file), fixedPassphrase('')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SIGNER_FAILED', message: expect.stringMatching(wantMessage) });
  });

  it.each([
    { name: 'with passphrase', passphrase: 'p4ss', wantCalls: 1 },
    { name: 'without passphrase', passphrase: undefined, wantCalls: 0 },
  ])('a generated identity ($name) signs verifiably', async ({ passphrase, wantCalls }) => {
    const id = await generateIdentity({
      name: 'Eve Investigator',
      ...(passphrase === undefined ? {} : { passphrase }),
    });
    writeFileSync(join(dir, 'new.asc'), id.privateKeyArmored);
    const source = fixedPassphrase(passphrase ?? '');
    const signer = await openKeyfileSigner(join(dir, 'new.asc'), source);
    expect(signer.fingerprint).toBe(id.fingerprint);
    expect(await verifiesWith(signer, await signer.sign(bytes))).toEqual([id.fingerprint]);
    expect(source.calls).toBe(wantCalls);
  });
});

const hasGpg = await isGpgAvailable({ env: process.env });

describe.skipIf(!hasGpg)('gpg signer (skipped: no gpg binary on PATH)', () => {
  let home: GpgHome;
  let gpgHome: string;
  let fp: string;
  beforeEach(() => {
    home = gpgHomeWithKey('Test <t@example.test>');
    ({ path: gpgHome, fingerprint: fp } = home);
  });
  afterEach(() => home.remove());

  it('signs with system gpg and protocol/signature.ts verifies it', async () => {
    const signer = await createSigner(
      { kind: 'gpg', fingerprint: fp, gpgHome },
      { home: gpgHome, env: {}, getPassphrase: fixedPassphrase('') },
    );
    const signature = await signer.sign(bytes);
    expect(await verifiesWith(signer, signature)).toEqual([fp]);
  });

  it('a gpg signature and an openpgp.js signature verify with the same keyring', async () => {
    const gpg = createGpgSigner(fp, { gpgHome, env: process.env });
    const keyfile = await openKeyfileSigner(privateKeyPath('carol'), fixedPassphrase(CAROL_PASSPHRASE));
    const ring = await Keyring.fromArmored([await gpg.publicKeyArmored(), armoredPublicKey('carol')]);
    const signers = await verifyAll(bytes, [await gpg.sign(bytes), await keyfile.sign(bytes)], ring);
    expect(signers.sort()).toEqual([fp, await fingerprint('carol')].sort());
  });

  it.each([
    { name: 'full fingerprint', spec: () => fp.toUpperCase(), wantCode: undefined },
    { name: 'email', spec: () => 't@example.test', wantCode: undefined },
    { name: 'unknown key', spec: () => 'nobody@example.test', wantCode: 'SIGNER_FAILED' },
  ])('findSecretKey: $name', async ({ spec, wantCode }) => {
    const result = findSecretKey(spec(), { gpgHome, env: process.env });
    if (wantCode === undefined) expect(await result).toBe(fp);
    else
      await expect(result).rejects.toMatchObject({ code: wantCode, message: expect.stringContaining('no secret key') });
  });

  it('a gpg signer whose key is missing fails with SIGNER_FAILED', async () => {
    const signer = createGpgSigner('0'.repeat(40), { gpgHome, env: process.env });
    await expect(signer.sign(bytes)).rejects.toMatchObject({ code: 'SIGNER_FAILED' });
  });
});
