import { createHash } from 'node:crypto';
import { baseTypeOf, FIXED_BITS, type BaseKeyType } from './key-types.js';
import { bitLength, encodeBlob, WireFormatError, WireReader } from './wire.js';

/** What a public key blob tells, without its material. */
export interface KeyFacts {
  type: string;
  bits: number | undefined;
  /** `SHA256:<base64 without padding>`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

/** How many wire fields (strings or mpints) make up the public key of each type (RFC 4253, 5656, 8709; PROTOCOL.u2f). */
const KEY_FIELDS: Readonly<Record<BaseKeyType, number>> = {
  'ssh-ed25519': 1,
  'ssh-rsa': 2,
  'ssh-dss': 4,
  'ecdsa-sha2-nistp256': 2,
  'ecdsa-sha2-nistp384': 2,
  'ecdsa-sha2-nistp521': 2,
  'sk-ssh-ed25519@openssh.com': 2,
  'sk-ecdsa-sha2-nistp256@openssh.com': 3,
};

export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function keySize(base: BaseKeyType, fields: readonly Buffer[]): number | undefined {
  if (base === 'ssh-rsa') return bitLength(fields[1] ?? Buffer.alloc(0)); // e, n
  if (base === 'ssh-dss') return bitLength(fields[0] ?? Buffer.alloc(0)); // p, q, g, y
  if (base.includes('ed25519') && fields[0]?.length !== 32) throw new WireFormatError('ed25519 keys are 32 bytes');
  if (base.includes('ecdsa') && (fields[1]?.length ?? 0) === 0) throw new WireFormatError('empty ecdsa point');
  return FIXED_BITS[base];
}

/**
 * Type, size and fingerprint of a public key blob. A certificate is fingerprinted as ssh-keygen
 * does it: by the plain key it certifies (its base type and key fields, without the nonce and
 * the signed extras). Throws WireFormatError when the blob is not a key; an unknown type still
 * gets a fingerprint of the whole blob.
 */
export function describeBlob(blob: Buffer): KeyFacts {
  const reader = new WireReader(blob);
  const type = reader.text();
  const base = baseTypeOf(type);
  if (base === undefined) return { type, bits: undefined, fingerprint: fingerprint(blob) };
  const isCert = base !== type;
  if (isCert) reader.bytes(); // nonce
  const start = reader.position;
  const fields = Array.from({ length: KEY_FIELDS[base] }, () => reader.bytes());
  const bits = keySize(base, fields);
  const plain = isCert ? Buffer.concat([encodeBlob([base]), blob.subarray(start, reader.position)]) : blob;
  return { type, bits, fingerprint: fingerprint(plain) };
}
