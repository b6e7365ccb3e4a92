import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { describeBlob } from './blob.js';
import { UNKNOWN_TYPE } from './key-types.js';
import { encodeBlob, WireFormatError, WireReader } from './wire.js';

/**
 * Facts about a private key file, derived without ever returning its material: the public key
 * (from the OpenSSH header, or computed from an unencrypted PEM key) is what gets fingerprinted.
 */
export interface PrivateKeyFacts {
  type: string;
  bits: number | undefined;
  fingerprint: string | undefined;
  isEncrypted: boolean;
  /** OpenSSH format, unencrypted: the comment stored with the key. */
  comment: string | undefined;
}

const PEM = /^-----BEGIN ((?:OPENSSH|RSA|EC|DSA|ENCRYPTED) )?PRIVATE KEY-----\r?\n/;

/** Whether a file's first bytes are a private key we read (leading blank lines tolerated). */
export function looksLikePrivateKey(head: string): boolean {
  return PEM.test(head.trimStart());
}

/** The label (`OPENSSH`, `RSA`, ..., '' for PKCS#8) and the base64 body's bytes, or undefined. */
function pemBlock(text: string): { label: string; headers: string; der: Buffer } | undefined {
  const trimmed = text.trimStart();
  const m = PEM.exec(trimmed);
  if (m === null) return undefined;
  const label = (m[1] ?? '').trim();
  const end = trimmed.indexOf(`-----END ${label === '' ? '' : `${label} `}PRIVATE KEY-----`);
  if (end < 0) return undefined;
  const inner = trimmed.slice(m[0].length, end);
  const blank = inner.search(/\r?\n\r?\n/);
  // RFC 1421 headers (Proc-Type, DEK-Info) end at a blank line before the body.
  const headers = /^[A-Za-z-]+:/.test(inner) && blank >= 0 ? inner.slice(0, blank) : '';
  const body = headers === '' ? inner : inner.slice(blank);
  return { label, headers, der: Buffer.from(body.replace(/\s+/g, ''), 'base64') };
}

const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const MAX_KEYS = 64;

/** Wire fields between a private key's type and its comment: s = string or mpint, b = byte. */
const PRIVATE_FIELDS: Readonly<Record<string, string>> = {
  'ssh-ed25519': 'ss',
  'ssh-rsa': 'ssssss',
  'ssh-dss': 'sssss',
  'ecdsa-sha2-nistp256': 'sss',
  'ecdsa-sha2-nistp384': 'sss',
  'ecdsa-sha2-nistp521': 'sss',
  'sk-ssh-ed25519@openssh.com': 'ssbss',
  'sk-ecdsa-sha2-nistp256@openssh.com': 'sssbss',
};

/** The comment of the first key in an unencrypted private section, when its type is known. */
function opensshComment(section: Buffer): string | undefined {
  const reader = new WireReader(section);
  if (reader.uint32() !== reader.uint32()) throw new WireFormatError('check integers differ');
  const fields = PRIVATE_FIELDS[reader.text()];
  if (fields === undefined) return undefined;
  for (const field of fields) {
    if (field === 'b') reader.byte();
    else reader.bytes();
  }
  const comment = reader.bytes().toString('utf8');
  return comment === '' ? undefined : comment;
}

function opensshFacts(der: Buffer, wantComment: boolean): PrivateKeyFacts {
  const reader = new WireReader(der);
  if (!reader.fixed(OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) throw new WireFormatError('no openssh-key-v1 magic');
  const cipher = reader.text();
  reader.text(); // kdf name
  reader.bytes(); // kdf options (salt, rounds)
  const count = reader.uint32();
  if (count < 1 || count > MAX_KEYS) throw new WireFormatError(`expected 1 to ${MAX_KEYS} keys, got ${count}`);
  const facts = describeBlob(reader.bytes());
  // Further public keys (several keys in one file are legal) precede the private section.
  for (let i = 1; i < count; i++) reader.bytes();
  const isEncrypted = cipher !== 'none';
  const comment = wantComment && !isEncrypted ? opensshComment(reader.bytes()) : undefined;
  return { ...facts, isEncrypted, comment };
}

const CURVES: Readonly<Record<string, string>> = { 'P-256': 'nistp256', 'P-384': 'nistp384', 'P-521': 'nistp521' };

/** The SSH public blob of a key node:crypto parsed, or undefined for types JWK cannot export (DSA). */
function sshBlob(key: KeyObject): Buffer | undefined {
  if (key.asymmetricKeyType === 'dsa') return undefined;
  const jwk: JsonWebKey = createPublicKey(key).export({ format: 'jwk' });
  const b64 = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'base64url');
  if (jwk.kty === 'RSA') return encodeBlob(['ssh-rsa', { mpint: b64(jwk.e) }, { mpint: b64(jwk.n) }]);
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return encodeBlob(['ssh-ed25519', b64(jwk.x)]);
  const curve = CURVES[jwk.crv ?? ''];
  if (jwk.kty === 'EC' && curve !== undefined)
    return encodeBlob([`ecdsa-sha2-${curve}`, curve, Buffer.concat([Buffer.from([4]), b64(jwk.x), b64(jwk.y)])]);
  return undefined;
}

function pemFacts(text: string, label: string, headers: string): PrivateKeyFacts {
  const labelled = label === 'RSA' ? 'ssh-rsa' : label === 'DSA' ? 'ssh-dss' : UNKNOWN_TYPE;
  const unknown = { type: labelled, bits: undefined, fingerprint: undefined, comment: undefined };
  if (label === 'ENCRYPTED' || /^Proc-Type:\s*4,\s*ENCRYPTED/im.test(headers)) return { ...unknown, isEncrypted: true };
  // No passphrase given: node:crypto refuses encrypted keys rather than prompting.
  const key = createPrivateKey({ key: text, format: 'pem' });
  const blob = sshBlob(key);
  if (blob === undefined)
    return {
      ...unknown,
      type: key.asymmetricKeyType === 'dsa' ? 'ssh-dss' : labelled,
      bits: key.asymmetricKeyDetails?.modulusLength,
      isEncrypted: false,
    };
  return { ...describeBlob(blob), isEncrypted: false, comment: undefined };
}

/**
 * Facts about the private key in `text` (the whole file). Undefined when the file is not a
 * private key we read; throws WireFormatError (or node:crypto's error) on a damaged one.
 */
export function privateKeyFacts(text: string, wantComment: boolean): PrivateKeyFacts | undefined {
  const block = pemBlock(text);
  if (block === undefined) return undefined;
  if (block.label === 'OPENSSH') return opensshFacts(block.der, wantComment);
  return pemFacts(text.trimStart(), block.label, block.headers);
}
