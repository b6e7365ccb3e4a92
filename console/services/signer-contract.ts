/**
 * What every signing backend gives the rest of the console: a fingerprint and a function from
 * bytes to an armored detached signature. Its own file so the backends (signer.ts for key
 * files, gpg.ts for system gpg) and the factory that picks one do not import each other.
 */
export interface Signer {
  /** Primary key fingerprint, lowercase hex. */
  fingerprint: string;
  backend: 'keyfile' | 'gpg';
  /** Armored detached signature (class 0x00) over exactly `bytes`. */
  sign(bytes: Uint8Array): Promise<string>;
  publicKeyArmored(): Promise<string>;
}
