import { readFileSync } from 'node:fs';
import * as openpgp from 'openpgp';
import { defaultAcl, type Acl } from '../protocol/acl.js';
import { UserError } from '../protocol/errors.js';
import { Keyring } from '../protocol/signature.js';
import type { AgentConfig } from './config.js';

export interface TrustRoots {
  keyring: Keyring;
  /** The ACL from the config, or defaultAcl over every investigator's fingerprint. */
  acl: Acl;
  /** Investigator name by primary fingerprint, for logs. */
  names: ReadonlyMap<string, string>;
}

/**
 * The investigators' public keys baked into this agent: the only authority it obeys. A key
 * that cannot be read or parsed stops the agent, naming the config field.
 */
export async function loadTrustRoots(config: AgentConfig): Promise<TrustRoots> {
  const keyring = new Keyring();
  const names = new Map<string, string>();
  for (const [i, inv] of config.investigators.entries()) {
    const field = inv.publicKeyFile === undefined ? `investigators.${i}.publicKey` : `investigators.${i}.publicKeyFile`;
    const armored = inv.publicKey ?? readKeyFile(field, inv.publicKeyFile ?? '');
    const key = await readConfigPublicKey(field, armored);
    keyring.add(key);
    names.set(key.getFingerprint().toLowerCase(), inv.name);
  }
  return { keyring, acl: config.acl ?? defaultAcl(keyring.fingerprints()), names };
}

/** A key file named in the agent config, read or refused with the config field that named it. */
export function readKeyFile(field: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(
      'CONFIG_INVALID',
      `agent config: ${field}: cannot read ${path} (${(err as Error).message})`,
      'check the path (relative paths start at the config file)',
      { cause: err },
    );
  }
}

/** An armored public key from the agent config; a private key or garbage stops the agent, naming the field. */
export async function readConfigPublicKey(field: string, armored: string): Promise<openpgp.PublicKey> {
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey: armored });
  } catch (err) {
    throw new UserError(
      'CONFIG_INVALID',
      `agent config: ${field}: not an armored OpenPGP public key (${(err as Error).message})`,
      'export it with `gpg --armor --export <id>`',
      { cause: err },
    );
  }
  if (key.isPrivate()) {
    throw new UserError(
      'CONFIG_INVALID',
      `agent config: ${field}: this is a PRIVATE key; agents need only the public key`,
      'export the public key with `gpg --armor --export <id>` and keep the private key off endpoints',
    );
  }
  return key;
}
