import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type * as openpgp from 'openpgp';
import { SigningKeyValidity } from './signing-key-validity.js';

/**
 * The common case of a detached signature checked without openpgp's verify: a v4 binary (or
 * text, over bytes with no line ends) signature by an Ed25519 key (legacy EdDSA 22 or RFC 9580
 * Ed25519 27) with SHA-256/384/512. openpgp still parses the signature (readSignature); here we
 * hash and check it with node:crypto on a KeyObject made once per (sub)key, and ask openpgp
 * about the key's validity once per time slot (signing-key-validity.ts). openpgp's own path
 * imports the raw key into WebCrypto and hashes through its stream helpers on every call: ~1 ms
 * of CPU per signature under load, against ~0.1 ms here (doc/performance.md, Agent CPU).
 *
 * This path only ever says "accepted". Anything it does not handle, and anything it would
 * refuse, goes on to openpgp's path (protocol/signature.ts), which decides and words the error:
 * the fast path cannot accept what openpgp refuses unless one of the checks below differs from
 * openpgp's, and protocol/signature-parity.test.ts compares the two on every case it can make.
 */

// openpgp's enums, as numbers: this file must not import openpgp's code (it loads on first use).
const SIGNATURE_BINARY = 0;
const SIGNATURE_TEXT = 1;
const ALGORITHM_EDDSA_LEGACY = 22;
const ALGORITHM_ED25519 = 27;
/** Hash algorithms taken here; others (SHA-1, MD5: refused; SHA-224, SHA-3: rare) go to openpgp. */
const HASHES: ReadonlyMap<number, string> = new Map([
  [8, 'sha256'],
  [9, 'sha384'],
  [10, 'sha512'],
]);
const ED25519_LEGACY_OID = '2b06010401da470f01';

/** One signing-capable (sub)key as node:crypto sees it. */
interface FastKey {
  keyObject: KeyObject;
  algorithm: number;
  createdMs: number;
  keyId: openpgp.KeyID;
}

/** The fast path's view of one investigator key: its (sub)keys by key id, and their validity. */
export class FastSigner {
  /** null: a key this path does not handle (it must not let a later key with the same id stand in). */
  private readonly keys = new Map<string, FastKey | null>();
  private readonly validity: SigningKeyValidity;

  constructor(key: openpgp.PublicKey, loadOpenpgp: () => Promise<typeof openpgp>) {
    this.validity = new SigningKeyValidity(key, loadOpenpgp);
    // In getKeys() order: openpgp takes the first key whose id matches the signature's issuer.
    for (const k of key.getKeys()) {
      const id = k.getKeyID().toHex();
      if (this.keys.has(id)) continue;
      const keyObject = ed25519KeyObject(k.keyPacket);
      this.keys.set(
        id,
        keyObject === undefined
          ? null
          : {
              keyObject,
              algorithm: k.keyPacket.algorithm,
              createdMs: k.getCreationTime().getTime(),
              keyId: k.getKeyID(),
            },
      );
    }
  }

  /**
   * True if openpgp would accept this signature packet over `bytes` right now; false means
   * "ask openpgp" (not handled here, or refused).
   */
  async accepts(
    packet: openpgp.SignaturePacket,
    bytes: Uint8Array,
    config: PgpConfig,
    nowMs: number,
  ): Promise<boolean> {
    // openpgp's enums as plain numbers (this file compares them with the constants above).
    const algorithm: number = packet.publicKeyAlgorithm ?? -1;
    const type: number = packet.signatureType ?? -1;
    const key = this.keys.get(packet.issuerKeyID.toHex());
    if (key === undefined || key === null || algorithm !== key.algorithm) return false;
    if (packet.version !== 4 || !isPlain(packet, config)) return false;
    if (type === SIGNATURE_TEXT ? hasLineEnd(bytes) : type !== SIGNATURE_BINARY) return false;
    const hashName = HASHES.get(packet.hashAlgorithm ?? -1);
    if (hashName === undefined || packet.created === null || packet.signatureData === null) return false;
    // As openpgp's verify with date = now: not made in the future, not expired (whole seconds).
    const now = Math.floor(nowMs / 1000) * 1000;
    const createdMs = packet.created.getTime();
    if (createdMs > now || now >= +packet.getExpirationTime()) return false;
    // openpgp's "Key is newer than the signature".
    if (key.createdMs > createdMs) return false;
    const digest = v4Digest(hashName, bytes, packet.signatureData);
    const left = packet.signedHashValue;
    if (left === null || left[0] !== digest[0] || left[1] !== digest[1]) return false;
    const raw = signatureBytes(packet, key.algorithm);
    if (raw === undefined || !verify(null, digest, key.keyObject, raw)) return false;
    // Valid for signing when it signed: openpgp's getSigningKey(keyID, created), per time slot.
    return this.validity.isValidAt(key.keyId, createdMs, nowMs);
  }
}

/** The parts of openpgp.config this path reads: the hashes openpgp refuses. */
export interface PgpConfig {
  rejectHashAlgorithms: ReadonlySet<number>;
  rejectMessageHashAlgorithms: ReadonlySet<number>;
}

/**
 * No subpacket or setting that openpgp's verify would refuse or treat specially: unknown critical
 * subpackets, critical notations, an authorised revocation key, a hash openpgp's config refuses.
 * (openpgp refuses the first three; we let it say so.)
 */
function isPlain(packet: openpgp.SignaturePacket, config: PgpConfig): boolean {
  const hash = packet.hashAlgorithm ?? -1;
  return (
    packet.unknownSubpackets.every((s) => !s.critical) &&
    packet.rawNotations.every((n) => !n.critical) &&
    packet.revocationKeyClass === null &&
    !config.rejectHashAlgorithms.has(hash) &&
    !config.rejectMessageHashAlgorithms.has(hash)
  );
}

/** Text signatures hash the data with every line end made CRLF: with none, that is the data itself. */
function hasLineEnd(bytes: Uint8Array): boolean {
  return bytes.includes(0x0a) || bytes.includes(0x0d);
}

/** RFC 4880 §5.2.4: hash(data ‖ hashed part of the packet ‖ 0x04 0xFF ‖ its length, 4 bytes). */
export function v4Digest(hashName: string, bytes: Uint8Array, signatureData: Uint8Array): Buffer {
  const trailer = Buffer.alloc(6);
  trailer[0] = 4;
  trailer[1] = 0xff;
  trailer.writeUInt32BE(signatureData.length >>> 0, 2);
  return createHash(hashName).update(bytes).update(signatureData).update(trailer).digest();
}

/**
 * The 64-byte Ed25519 signature: R ‖ S. Legacy EdDSA carries r and s as MPIs, left-padded to 32
 * bytes as openpgp does (longer ones openpgp refuses: undefined, so it decides).
 */
function signatureBytes(packet: openpgp.SignaturePacket, algorithm: number): Uint8Array | undefined {
  const params: unknown = (packet as unknown as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null) return undefined;
  if (algorithm === ALGORITHM_ED25519) {
    const { RS } = params as { RS?: unknown };
    return RS instanceof Uint8Array && RS.length === 64 ? RS : undefined;
  }
  const { r, s } = params as { r?: unknown; s?: unknown };
  if (!(r instanceof Uint8Array) || !(s instanceof Uint8Array) || r.length > 32 || s.length > 32) return undefined;
  const rs = new Uint8Array(64);
  rs.set(r, 32 - r.length);
  rs.set(s, 64 - s.length);
  return rs;
}

/** A node:crypto public key for an Ed25519 key packet; undefined for anything else (openpgp's path). */
function ed25519KeyObject(keyPacket: openpgp.AnyKeyPacket): KeyObject | undefined {
  const params = keyPacket.publicParams as { oid?: { toHex?: unknown }; Q?: unknown; A?: unknown };
  const algorithm: number = keyPacket.algorithm;
  let raw: Uint8Array | undefined;
  if (algorithm === ALGORITHM_ED25519 && params.A instanceof Uint8Array && params.A.length === 32) {
    raw = params.A;
  } else if (
    algorithm === ALGORITHM_EDDSA_LEGACY &&
    typeof params.oid?.toHex === 'function' &&
    (params.oid.toHex as () => unknown).call(params.oid) === ED25519_LEGACY_OID &&
    params.Q instanceof Uint8Array &&
    params.Q.length === 33 &&
    params.Q[0] === 0x40
  ) {
    raw = params.Q.subarray(1);
  }
  if (raw === undefined) return undefined;
  try {
    const x = Buffer.from(raw).toString('base64url');
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch {
    return undefined;
  }
}
