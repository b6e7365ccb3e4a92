import type * as openpgp from 'openpgp';
import { VerificationError } from './errors.js';

let loading: Promise<typeof openpgp> | undefined;

/**
 * openpgp, imported on first use: its megabyte of code is most of what a `-t local` hunt would
 * load for nothing (it signs and verifies nothing) (doc/performance.md, Start-up).
 */
export function openpgpModule(): Promise<typeof openpgp> {
  loading ??= import('openpgp');
  return loading;
}

/**
 * Investigators' public keys, parsed once (readKey costs ~0.7 ms) and indexed by every
 * key id and fingerprint of the key and its subkeys, all mapped to the primary fingerprint.
 */
export class Keyring {
  private readonly byKeyId = new Map<string, openpgp.PublicKey>();
  private readonly byFingerprint = new Map<string, openpgp.PublicKey>();

  static async fromArmored(armoredKeys: readonly string[]): Promise<Keyring> {
    const openpgp = await openpgpModule();
    const ring = new Keyring();
    for (const armored of armoredKeys) ring.add(await openpgp.readKey({ armoredKey: armored }));
    return ring;
  }

  add(key: openpgp.Key): void {
    const pub = key.isPrivate() ? key.toPublic() : key;
    this.byFingerprint.set(pub.getFingerprint().toLowerCase(), pub);
    for (const id of pub.getKeyIDs()) this.byKeyId.set(id.toHex().toLowerCase(), pub);
  }

  get size(): number {
    return this.byFingerprint.size;
  }

  fingerprints(): string[] {
    return [...this.byFingerprint.keys()];
  }

  byKey(keyIdHex: string): openpgp.PublicKey | undefined {
    return this.byKeyId.get(keyIdHex.toLowerCase());
  }

  get(fingerprint: string): openpgp.PublicKey | undefined {
    return this.byFingerprint.get(fingerprint.toLowerCase());
  }
}

/** Detached armored signature over exactly `bytes` (signature class 0x00, like gpg's default). */
export async function signDetached(bytes: Uint8Array, signingKey: openpgp.PrivateKey): Promise<string> {
  const openpgp = await openpgpModule();
  const message = await openpgp.createMessage({ binary: bytes });
  // openpgp types the armored result through its stream types, which are `any` without the DOM
  // lib: for a Uint8Array message it is a string.
  return (await openpgp.sign({ message, signingKeys: signingKey, detached: true, format: 'armored' })) as string;
}

/**
 * Verifies one armored detached signature over `bytes` and returns the signer's primary
 * fingerprint. Unknown signer and bad signature are distinct codes so an operator can tell
 * a missing key from tampering.
 */
export async function verifyDetached(bytes: Uint8Array, armoredSignature: string, keyring: Keyring): Promise<string> {
  const openpgp = await openpgpModule();
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature });
  } catch (err) {
    throw new VerificationError('BAD_SIGNATURE', `signature is not an armored OpenPGP signature`, { cause: err });
  }
  const keyIds = signature.getSigningKeyIDs().map((id) => id.toHex().toLowerCase());
  const signer = keyIds.map((id) => keyring.byKey(id)).find((k) => k !== undefined);
  if (signer === undefined) {
    throw new VerificationError(
      'UNKNOWN_SIGNER',
      `signed by key ${keyIds.join(', ') || '(none)'}, which is not a trusted investigator key`,
    );
  }
  try {
    await verifyPackets(openpgp, bytes, signature, signer);
  } catch (err) {
    throw new VerificationError(
      'BAD_SIGNATURE',
      `signature by ${signer.getFingerprint()} does not verify: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return signer.getFingerprint().toLowerCase();
}

/**
 * What `openpgp.verify({ message, signature, verificationKeys: signer, expectSigned: true })`
 * checks, step for step (openpgp's createVerificationObject), on the packets directly: the
 * top-level call wraps the data in streams and cost ~0.45 ms of CPU more per signature, a third
 * of an agent's command (doc/performance.md, Agent CPU). Every check is still openpgp's own:
 * the signature packet's digest, crypto, creation and expiry, hash algorithm and critical
 * subpackets (SignaturePacket.verify), then the key's validity when it signed (getSigningKey).
 * The literal data packet is the one createMessage builds, so text signatures hash as before.
 */
async function verifyPackets(
  openpgp: typeof import('openpgp'),
  bytes: Uint8Array,
  signature: openpgp.Signature,
  signer: openpgp.PublicKey,
): Promise<void> {
  const { enums } = openpgp;
  const literal = (await openpgp.createMessage({ binary: bytes })).packets.findPacket(enums.packet.literalData);
  if (literal === undefined) throw new Error('no literal data packet');
  // openpgp.verify considers only data signatures; expectSigned refuses when none is left.
  const packets = [...signature.packets].filter(
    (p) => p.signatureType === enums.signature.binary || p.signatureType === enums.signature.text,
  );
  if (packets.length === 0) throw new Error('Message is not signed');
  const date = new Date();
  for (const packet of packets) {
    const [signingKey] = signer.getKeys(packet.issuerKeyID);
    if (signingKey === undefined)
      throw new Error(`Could not find signing key with key ID ${packet.issuerKeyID.toHex()}`);
    await packet.verify(signingKey.keyPacket, packet.signatureType as openpgp.enums.signature, literal, date, true);
    const created = packet.created;
    if (created === null) throw new Error('the signature has no creation time');
    if (signingKey.getCreationTime() > created) throw new Error('Key is newer than the signature');
    // The key (or subkey) must have been valid for signing when it signed.
    await signer.getSigningKey(signingKey.getKeyID(), created);
  }
}

/** Every signature must verify; returns the distinct signer fingerprints (a duplicate signer counts once). */
export async function verifyAll(bytes: Uint8Array, signatures: readonly string[], keyring: Keyring): Promise<string[]> {
  if (signatures.length === 0) throw new VerificationError('NO_SIGNATURE', 'the action carries no signature');
  const signers = new Set<string>();
  for (const sig of signatures) signers.add(await verifyDetached(bytes, sig, keyring));
  return [...signers];
}
