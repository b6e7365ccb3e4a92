import { readFileSync } from 'node:fs';
import * as openpgp from 'openpgp';

/** Test-only investigator keys committed under test/fixtures/keys (alice, bob, mallory: no passphrase; carol: passphrase). */
export type TestPerson = 'alice' | 'bob' | 'mallory' | 'carol';
export const CAROL_PASSPHRASE = 'correct horse battery staple';

const keysDir = new URL('../fixtures/keys/', import.meta.url);

export function armoredPublicKey(person: TestPerson): string {
  return readFileSync(new URL(`${person}.pub.asc`, keysDir), 'utf8');
}
export function armoredPrivateKey(person: TestPerson): string {
  return readFileSync(new URL(`${person}.key.asc`, keysDir), 'utf8');
}
export function privateKeyPath(person: TestPerson): string {
  return new URL(`${person}.key.asc`, keysDir).pathname;
}
export function publicKeyPath(person: TestPerson): string {
  return new URL(`${person}.pub.asc`, keysDir).pathname;
}

/** Decrypted private key, ready to sign. */
export async function privateKey(person: TestPerson): Promise<openpgp.PrivateKey> {
  const key = await openpgp.readPrivateKey({ armoredKey: armoredPrivateKey(person) });
  if (key.isDecrypted()) return key;
  return openpgp.decryptKey({ privateKey: key, passphrase: CAROL_PASSPHRASE });
}

export async function fingerprint(person: TestPerson): Promise<string> {
  return (await openpgp.readKey({ armoredKey: armoredPublicKey(person) })).getFingerprint().toLowerCase();
}
