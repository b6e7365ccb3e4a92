import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { Keyring, verifyDetached } from './signature.js';

/**
 * verifyDetached checks signatures on openpgp's packets directly (cheaper than openpgp.verify:
 * doc/performance.md, Agent CPU). These cases pin that it accepts and refuses exactly what
 * openpgp.verify({ expectSigned: true }) does: future and key-expired signatures, a key
 * revoked since, text-mode signatures, tampered bytes.
 */
const DAY = 24 * 60 * 60 * 1000;
const bytes = new TextEncoder().encode('{"id":"parity","operations":[]}');

async function newKey(opts: { date?: Date; keyExpirationTime?: number } = {}): Promise<openpgp.PrivateKey> {
  const { privateKey } = await openpgp.generateKey({
    type: 'curve25519',
    userIDs: [{ name: 'parity', email: 'parity@example.org' }],
    format: 'object',
    ...opts,
  });
  return privateKey;
}

async function sign(
  key: openpgp.PrivateKey,
  opts: { date?: Date; text?: boolean; signed?: Uint8Array } = {},
): Promise<string> {
  const signed = opts.signed ?? bytes;
  const message =
    opts.text === true
      ? await openpgp.createMessage({ text: new TextDecoder().decode(signed) })
      : await openpgp.createMessage({ binary: signed });
  return (await openpgp.sign({
    message,
    signingKeys: key,
    detached: true,
    format: 'armored',
    ...(opts.date === undefined ? {} : { date: opts.date }),
  })) as string;
}

/** What openpgp's own top-level call decides. */
async function openpgpAccepts(armored: string, key: openpgp.PublicKey, data: Uint8Array = bytes): Promise<boolean> {
  try {
    const signature = await openpgp.readSignature({ armoredSignature: armored });
    const message = await openpgp.createMessage({ binary: data });
    const result = await openpgp.verify({ message, signature, verificationKeys: key, expectSigned: true });
    for (const sig of result.signatures) await sig.verified;
    return true;
  } catch {
    return false;
  }
}

async function oursAccepts(armored: string, key: openpgp.PublicKey, data: Uint8Array = bytes): Promise<boolean> {
  const ring = new Keyring();
  ring.add(key);
  return verifyDetached(data, armored, ring).then(
    () => true,
    (err: unknown) => {
      expect(err).toMatchObject({ code: 'BAD_SIGNATURE' });
      return false;
    },
  );
}

describe('verifyDetached decides as openpgp.verify does', () => {
  it('on good, tampered, future, text-mode, key-expired and revoked-key signatures', async () => {
    const key = await newKey();
    const oldKey = await newKey({ date: new Date(Date.now() - 10 * DAY), keyExpirationTime: DAY / 1000 });
    const cases: { name: string; armored: string; key: openpgp.PublicKey; data?: Uint8Array; accepted: boolean }[] = [
      { name: 'good', armored: await sign(key), key: key.toPublic(), accepted: true },
      {
        name: 'tampered',
        armored: await sign(key),
        key: key.toPublic(),
        data: new TextEncoder().encode('{"id":"parity","operations":[1]}'),
        accepted: false,
      },
      {
        name: 'made in the future',
        armored: await sign(key, { date: new Date(Date.now() + DAY) }),
        key: key.toPublic(),
        accepted: false,
      },
      { name: 'text mode', armored: await sign(key, { text: true }), key: key.toPublic(), accepted: true },
      {
        name: 'made while the key was valid, key now expired',
        armored: await sign(oldKey, { date: new Date(Date.now() - 10 * DAY + 60_000) }),
        key: oldKey.toPublic(),
        accepted: true,
      },
    ];
    // A revoked key cannot sign through openpgp.sign: it signs first, then is revoked.
    const beforeRevocation = await newKey();
    const sigByIt = await sign(beforeRevocation);
    const { privateKey: nowRevoked } = await openpgp.revokeKey({ key: beforeRevocation, format: 'object' });
    cases.push({ name: 'key revoked after signing', armored: sigByIt, key: nowRevoked.toPublic(), accepted: false });

    for (const c of cases) {
      const theirs = await openpgpAccepts(c.armored, c.key, c.data);
      const ours = await oursAccepts(c.armored, c.key, c.data);
      expect({ name: c.name, ours, theirs }).toEqual({ name: c.name, ours: c.accepted, theirs: c.accepted });
    }
  });
});
