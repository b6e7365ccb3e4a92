import type * as openpgp from 'openpgp';
import { VerificationError } from './errors.js';
import { FastSigner } from './signature-fast.js';

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
  /** Each key's node:crypto view for the fast path (protocol/signature-fast.ts), by primary fingerprint. */
  private readonly fast = new Map<string, FastSigner>();

  static async fromArmored(armoredKeys: readonly string[]): Promise<Keyring> {
    const openpgp = await openpgpModule();
    const ring = new Keyring();
    for (const armored of armoredKeys) ring.add(await openpgp.readKey({ armoredKey: armored }));
    return ring;
  }

  add(key: openpgp.Key): void {
    const pub = key.isPrivate() ? key.toPublic() : key;
    this.byFingerprint.set(pub.getFingerprint().toLowerCase(), pub);
    this.fast.delete(pub.getFingerprint().toLowerCase());
    try {
      this.fast.set(pub.getFingerprint().toLowerCase(), new FastSigner(pub, openpgpModule));
    } catch {
      // A key the fast path cannot describe: its signatures go through openpgp's path.
    }
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

  fastSigner(fingerprint: string): FastSigner | undefined {
    return this.fast.get(fingerprint.toLowerCase());
  }
}

let isFastPathOn = true;

/**
 * Turns the fast path off (every signature through openpgp's packets) or back on: for A/B timing
 * (scripts/agent-cpu.ts) and the parity tests. Off is never less safe, only slower.
 */
export function setFastVerification(on: boolean): void {
  isFastPathOn = on;
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
  // A packet openpgp could not parse has no issuer (openpgp.verify skips it; getSigningKeyIDs
  // would hand us undefined): the readable ones decide, and with none the signature is bad.
  const keyIds = signature.packets.flatMap((p) => {
    const id = (p as { issuerKeyID?: openpgp.KeyID }).issuerKeyID;
    return id === undefined ? [] : [id.toHex().toLowerCase()];
  });
  if (keyIds.length === 0)
    throw new VerificationError('BAD_SIGNATURE', 'the signature holds no readable signature packet');
  const signer = keyIds.map((id) => keyring.byKey(id)).find((k) => k !== undefined);
  if (signer === undefined) {
    throw new VerificationError(
      'UNKNOWN_SIGNER',
      `signed by key ${keyIds.join(', ') || '(none)'}, which is not a trusted investigator key`,
    );
  }
  const fingerprint = signer.getFingerprint().toLowerCase();
  // An error in the fast path is a "no": openpgp's path decides.
  const fast = keyring.fastSigner(fingerprint);
  if (isFastPathOn && (await acceptsFast(openpgp, bytes, signature, fast).catch(() => false))) return fingerprint;
  try {
    await verifyPackets(openpgp, bytes, signature, signer);
  } catch (err) {
    throw new VerificationError(
      'BAD_SIGNATURE',
      `signature by ${signer.getFingerprint()} does not verify: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return fingerprint;
}

/**
 * The fast path (protocol/signature-fast.ts) accepts every data signature in `signature`, with
 * the same filter as verifyPackets. False: openpgp's path decides.
 */
async function acceptsFast(
  openpgp: typeof import('openpgp'),
  bytes: Uint8Array,
  signature: openpgp.Signature,
  fast: FastSigner | undefined,
): Promise<boolean> {
  if (fast === undefined) return false;
  const { enums, config } = openpgp;
  const packets = [...signature.packets].filter(
    (p) => p.signatureType === enums.signature.binary || p.signatureType === enums.signature.text,
  );
  if (packets.length === 0) return false;
  const nowMs = Date.now();
  for (const packet of packets) if (!(await fast.accepts(packet, bytes, config, nowMs))) return false;
  return true;
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
