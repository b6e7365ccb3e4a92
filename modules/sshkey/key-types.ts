/**
 * SSH key types as they appear in key lines and blobs. Pure data: the spec validates `-type`
 * with it. Certificates carry a signed key of the base type; ssh-keygen -l reports the
 * certificate's own blob fingerprint and the base key's size, and so do we.
 */
export const BASE_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-dss',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;
export type BaseKeyType = (typeof BASE_KEY_TYPES)[number];

const CERT_SUFFIX = '-cert-v01@openssh.com';

/** `ssh-ed25519-cert-v01@openssh.com`; sk types put the suffix before `@openssh.com`. */
export function certType(base: BaseKeyType): string {
  return base.endsWith('@openssh.com') ? base.replace('@openssh.com', CERT_SUFFIX) : `${base}${CERT_SUFFIX}`;
}

export const KEY_TYPES: readonly [string, ...string[]] = [...BASE_KEY_TYPES, ...BASE_KEY_TYPES.map(certType)];

/** The base type of a key or certificate type, or undefined when we do not know it. */
export function baseTypeOf(type: string): BaseKeyType | undefined {
  const base = (BASE_KEY_TYPES as readonly string[]).find((b) => b === type || certType(b as BaseKeyType) === type);
  return base as BaseKeyType | undefined;
}

/** Types reported when a key's type cannot be told (encrypted PKCS#8, unreadable PEM). */
export const UNKNOWN_TYPE = 'unknown';

/** Sizes ssh-keygen reports for fixed-size key types. */
export const FIXED_BITS: Readonly<Partial<Record<BaseKeyType, number>>> = {
  'ssh-ed25519': 256,
  'sk-ssh-ed25519@openssh.com': 256,
  'ecdsa-sha2-nistp256': 256,
  'ecdsa-sha2-nistp384': 384,
  'ecdsa-sha2-nistp521': 521,
  'sk-ecdsa-sha2-nistp256@openssh.com': 256,
};
