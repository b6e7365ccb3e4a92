import { createHash, createPrivateKey, sign } from 'node:crypto';
import * as openpgp from 'openpgp';

/**
 * Hand-built v4 detached signatures by an Ed25519 key (legacy EdDSA 22 or Ed25519 27), for the
 * parity tests of protocol/signature-fast.ts: openpgp.sign cannot make the odd ones an attacker
 * or an old tool could (SHA-1 or MD5 over Ed25519, unknown critical subpackets, critical
 * notations, odd signature types). Test-only: it signs with whatever it is told.
 */
export interface ForgeOptions {
  /** Signature type byte (0 binary, 1 text, …). Default 0. */
  type?: number;
  /** OpenPGP hash algorithm id (1 MD5, 2 SHA-1, 8 SHA-256, 9 SHA-384, 10 SHA-512, 11 SHA-224, 12 SHA3-256). Default 10. */
  hash?: number;
  /** Creation time in seconds; default now. Undefined with `noCreated`: no creation subpacket. */
  createdS?: number;
  noCreated?: boolean;
  /** Signature expiration subpacket, seconds after creation (0: never). */
  expiresInS?: number;
  /** More hashed subpackets, as written (type with the critical bit apart). */
  extraHashed?: { type: number; critical?: boolean; body: Uint8Array }[];
  /** Put the issuer key id in the hashed area instead of the unhashed one. */
  issuerHashed?: boolean;
  /** Sign these bytes instead of the data given (a signature over something else). */
  signOver?: Uint8Array;
  /** Which key (primary or subkey) signs; default the primary. */
  signer?: openpgp.PrivateKey | openpgp.Subkey;
  /** Name this key as the issuer instead of the signer (a subkey that cannot sign, say). */
  claimIssuer?: openpgp.PrivateKey | openpgp.Subkey;
}

const HASH_NAMES: Record<number, string> = {
  1: 'md5',
  2: 'sha1',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
  12: 'sha3-256',
  14: 'sha3-512',
};

export function forgeSignature(data: Uint8Array, key: openpgp.PrivateKey, opts: ForgeOptions = {}): string {
  const signer = opts.signer ?? key;
  const keyPacket = signer.keyPacket as openpgp.SecretKeyPacket;
  const algorithm = keyPacket.algorithm as number;
  const type = opts.type ?? 0;
  const hash = opts.hash ?? 10;
  const hashName = HASH_NAMES[hash];
  if (hashName === undefined) throw new Error(`no node hash for OpenPGP hash ${hash}`);
  const issuer = opts.claimIssuer ?? signer;
  const keyId = Buffer.from(issuer.getKeyID().toHex(), 'hex');
  const fingerprint = Buffer.from(issuer.getFingerprint(), 'hex');

  const hashed: Uint8Array[] = [];
  if (opts.noCreated !== true) hashed.push(subpacket(2, false, u32(opts.createdS ?? Math.floor(Date.now() / 1000))));
  if (opts.expiresInS !== undefined) hashed.push(subpacket(3, false, u32(opts.expiresInS)));
  hashed.push(subpacket(33, false, Buffer.concat([Buffer.from([4]), fingerprint])));
  if (opts.issuerHashed === true) hashed.push(subpacket(16, false, keyId));
  for (const extra of opts.extraHashed ?? []) hashed.push(subpacket(extra.type, extra.critical ?? false, extra.body));
  const unhashed = opts.issuerHashed === true ? [] : [subpacket(16, false, keyId)];

  const hashedArea = Buffer.concat(hashed);
  const signatureData = Buffer.concat([Buffer.from([4, type, algorithm, hash]), u16(hashedArea.length), hashedArea]);
  const over = opts.signOver ?? data;
  const trailer = Buffer.concat([Buffer.from([4, 0xff]), u32(signatureData.length)]);
  const digest = createHash(hashName).update(over).update(signatureData).update(trailer).digest();

  const { seed } = keyPacket.privateParams as { seed: Uint8Array };
  const publicRaw = publicBytes(keyPacket);
  const privateKey = createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: Buffer.from(seed).toString('base64url'),
      x: Buffer.from(publicRaw).toString('base64url'),
    },
    format: 'jwk',
  });
  const rs = sign(null, digest, privateKey);
  const material = algorithm === 27 ? rs : Buffer.concat([mpi(rs.subarray(0, 32)), mpi(rs.subarray(32))]);
  const unhashedArea = Buffer.concat(unhashed);
  const body = Buffer.concat([signatureData, u16(unhashedArea.length), unhashedArea, digest.subarray(0, 2), material]);
  return armorSignature(Buffer.concat([Buffer.from([0xc2]), packetLength(body.length), body]));
}

/** The raw 32-byte Ed25519 public key of a key packet. */
function publicBytes(keyPacket: openpgp.AnyKeyPacket): Uint8Array {
  const params = keyPacket.publicParams as { A?: Uint8Array; Q?: Uint8Array };
  if (params.A !== undefined) return params.A;
  if (params.Q !== undefined) return params.Q.subarray(1);
  throw new Error('not an Ed25519 key');
}

export function armorSignature(binary: Uint8Array): string {
  return openpgp.armor(openpgp.enums.armor.signature, binary);
}

/** The binary of an armored signature, for byte-flipping tests. */
export async function dearmorSignature(armored: string): Promise<Uint8Array> {
  const { data } = await openpgp.unarmor(armored);
  if (!(data instanceof Uint8Array)) throw new Error('unarmor gave a stream for a string');
  return data;
}

function subpacket(type: number, critical: boolean, body: Uint8Array): Buffer {
  const length = body.length + 1;
  if (length >= 192) throw new Error('subpacket too long for this helper');
  return Buffer.concat([Buffer.from([length, critical ? type | 0x80 : type]), body]);
}

function packetLength(length: number): Buffer {
  if (length < 192) return Buffer.from([length]);
  const rest = length - 192;
  return Buffer.from([(rest >> 8) + 192, rest & 0xff]);
}

function mpi(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start += 1;
  const stripped = bytes.subarray(start);
  const bits = stripped.length === 0 ? 0 : (stripped.length - 1) * 8 + (32 - Math.clz32(stripped[0] ?? 0));
  return Buffer.concat([u16(bits), stripped]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
