import * as openpgp from 'openpgp';
import { Keyring, setFastVerification, verifyDetached } from '../../protocol/signature.js';
import { FastSigner } from '../../protocol/signature-fast.js';

/**
 * The three deciders the parity tests compare on one (signature, key, data): openpgp's own
 * top-level verify, verifyDetached with and without its fast path, and the fast path alone.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;

export type KeyKind = 'legacy' | 'ed25519';

export async function newKey(
  kind: KeyKind,
  opts: { date?: Date; keyExpirationTime?: number; subkeys?: openpgp.SubkeyOptions[] } = {},
): Promise<openpgp.PrivateKey> {
  const type =
    kind === 'legacy' ? ({ type: 'ecc', curve: 'ed25519Legacy' } as const) : ({ type: 'curve25519' } as const);
  const { privateKey } = await openpgp.generateKey({
    ...type,
    userIDs: [{ name: 'parity', email: 'parity@example.org' }],
    format: 'object',
    ...opts,
  });
  return privateKey;
}

export async function signWith(
  key: openpgp.PrivateKey,
  data: Uint8Array,
  opts: { date?: Date; text?: boolean } = {},
): Promise<string> {
  const message =
    opts.text === true
      ? await openpgp.createMessage({ text: new TextDecoder().decode(data) })
      : await openpgp.createMessage({ binary: data });
  return (await openpgp.sign({
    message,
    signingKeys: key,
    detached: true,
    format: 'armored',
    ...(opts.date === undefined ? {} : { date: opts.date }),
  })) as string;
}

/** What openpgp's own top-level call decides. */
export async function openpgpAccepts(armored: string, key: openpgp.PublicKey, data: Uint8Array): Promise<boolean> {
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

/** verifyDetached's answer, fast path on or off; a refusal must carry one of its codes. */
export async function oursAccepts(
  armored: string,
  key: openpgp.PublicKey,
  data: Uint8Array,
  fast: boolean,
): Promise<boolean> {
  const ring = new Keyring();
  ring.add(key);
  setFastVerification(fast);
  try {
    await verifyDetached(data, armored, ring);
    return true;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'BAD_SIGNATURE' && code !== 'UNKNOWN_SIGNER') throw err;
    return false;
  } finally {
    setFastVerification(true);
  }
}

/** The fast path alone: true only if it accepts every data signature in `armored` by itself. */
export async function fastAccepts(armored: string, key: openpgp.PublicKey, data: Uint8Array): Promise<boolean> {
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature: armored });
  } catch {
    return false;
  }
  const { enums } = openpgp;
  const packets = signature.packets.filter(
    (p) => p.signatureType === enums.signature.binary || p.signatureType === enums.signature.text,
  );
  if (packets.length === 0) return false;
  const fast = new FastSigner(key, () => Promise.resolve(openpgp));
  for (const packet of packets) if (!(await fast.accepts(packet, data, openpgp.config, Date.now()))) return false;
  return true;
}

export interface Decisions {
  theirs: boolean;
  ours: boolean;
  oursSlow: boolean;
  fast: boolean;
}

export async function decide(armored: string, key: openpgp.PublicKey, data: Uint8Array): Promise<Decisions> {
  return {
    theirs: await openpgpAccepts(armored, key, data),
    ours: await oursAccepts(armored, key, data, true),
    oursSlow: await oursAccepts(armored, key, data, false),
    fast: await fastAccepts(armored, key, data),
  };
}

/** The parity rule: every decider agrees with openpgp, and the fast path never accepts alone. */
export function agrees(d: Decisions): boolean {
  return d.ours === d.theirs && d.oursSlow === d.theirs && (!d.fast || d.theirs);
}
