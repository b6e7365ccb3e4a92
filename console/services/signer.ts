import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { UserError } from '../../protocol/errors.js';
import { signDetached } from '../../protocol/signature.js';
import { keyfilePath, type SignerConfig } from './config.js';
import { createGpgSigner } from './gpg.js';
import type { PassphraseSource } from './passphrase.js';
import type { Signer } from './signer-contract.js';

/**
 * The only place that touches private keys. Everything else gets a Signer: a fingerprint and
 * a function from bytes to an armored detached signature. Keys and passphrases are never
 * logged or put in error messages.
 */
export type { Signer } from './signer-contract.js';

export interface NewIdentity {
  privateKeyArmored: string;
  publicKeyArmored: string;
  fingerprint: string;
}

/**
 * A new ed25519 key. `curve25519Legacy` on purpose: RFC 9580 `curve25519` keys make signatures
 * gpg 2.2 cannot verify (STACK-NOTES), and investigators mix both backends.
 */
export async function generateIdentity(opts: {
  name: string;
  email?: string;
  passphrase?: string;
}): Promise<NewIdentity> {
  const userID = opts.email === undefined ? { name: opts.name } : { name: opts.name, email: opts.email };
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [userID],
    format: 'armored',
    ...(opts.passphrase === undefined || opts.passphrase === '' ? {} : { passphrase: opts.passphrase }),
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return {
    privateKeyArmored: privateKey,
    publicKeyArmored: publicKey,
    fingerprint: key.getFingerprint().toLowerCase(),
  };
}

// Alike on purpose (duplicates): reading a file the user named into a UserError that names it, as
// agent/config.ts does; the console and the agent share no code (test/architecture.test.ts) and the
// codes differ.
/**
 * Signer over an armored private key file. The key is decrypted on first use, once per process
 * (one prompt per `mig` run, however many requests it signs).
 */
export async function openKeyfileSigner(path: string, getPassphrase: PassphraseSource): Promise<Signer> {
  let armored: string;
  try {
    armored = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(
      'SIGNER_FAILED',
      `cannot read the private key ${path}: ${(err as Error).message}`,
      'run `mig init`',
      {
        cause: err,
      },
    );
  }
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch (err) {
    throw new UserError('SIGNER_FAILED', `${path} is not an armored OpenPGP private key`, undefined, { cause: err });
  }
  const fingerprint = key.getFingerprint().toLowerCase();
  let decrypted: Promise<openpgp.PrivateKey> | undefined;
  const unlocked = (): Promise<openpgp.PrivateKey> => {
    decrypted ??= decrypt(key, getPassphrase, fingerprint);
    // A wrong passphrase must not stay cached: the next call may prompt again.
    decrypted.catch(() => (decrypted = undefined));
    return decrypted;
  };
  return {
    fingerprint,
    backend: 'keyfile',
    async sign(bytes) {
      return signDetached(bytes, await unlocked());
    },
    publicKeyArmored: () => Promise.resolve(key.toPublic().armor()),
  };
}

async function decrypt(
  key: openpgp.PrivateKey,
  getPassphrase: PassphraseSource,
  fingerprint: string,
): Promise<openpgp.PrivateKey> {
  if (key.isDecrypted()) return key;
  const passphrase = await getPassphrase(`key ${fingerprint.slice(-16).toUpperCase()}`);
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch (err) {
    throw new UserError('SIGNER_FAILED', `cannot unlock key ${fingerprint}: wrong passphrase`, 'check MIG_PASSPHRASE', {
      cause: err,
    });
  }
}

export interface SignerOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  getPassphrase: PassphraseSource;
}

/** The configured backend; both produce signatures protocol/signature.ts verifies the same way. */
export async function createSigner(config: SignerConfig, opts: SignerOptions): Promise<Signer> {
  if (config.kind === 'gpg') return createGpgSigner(config.fingerprint, { gpgHome: config.gpgHome, env: opts.env });
  return openKeyfileSigner(keyfilePath(opts.home, config.path), opts.getPassphrase);
}
