import { access, mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SERVER_URL, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, configPath, writeNewConfig } from '../console/services/config.js';
import { promptMasked } from '../console/services/passphrase.js';
import { generateIdentity } from '../console/services/signer.js';

/**
 * `npm start` on a fresh machine: create the investigator identity without questions beyond
 * an optional passphrase (Enter for none). Without a terminal, MIG_PASSPHRASE or none.
 * Returns true when an identity was created now.
 */
export async function ensureIdentity(home: string, io: { env: NodeJS.ProcessEnv; stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream }): Promise<boolean> {
  const hasConfig = await access(configPath(home)).then(
    () => true,
    () => false,
  );
  if (hasConfig) return false;
  const name = io.env.USER ?? userInfo().username;
  io.stderr.write(`First run: creating your investigator key (${name}) in ${home}\n`);
  let passphrase = io.env.MIG_PASSPHRASE;
  if (passphrase === undefined && io.stdin.isTTY) {
    passphrase = await promptMasked('Passphrase for the new key (Enter for none): ', io.stdin, io.stderr);
  }
  const identity = await generateIdentity({ name, ...(passphrase === undefined || passphrase === '' ? {} : { passphrase }) });
  await mkdir(home, { recursive: true, mode: 0o700 });
  await writeFile(join(home, PRIVATE_KEY_FILE), identity.privateKeyArmored, { flag: 'wx', mode: 0o600 });
  await writeFile(join(home, PUBLIC_KEY_FILE), identity.publicKeyArmored, { flag: 'wx', mode: 0o644 });
  await writeNewConfig(home, { serverUrl: DEFAULT_SERVER_URL, signer: { kind: 'keyfile', path: PRIVATE_KEY_FILE }, name });
  io.stderr.write(`  fingerprint ${identity.fingerprint}\n`);
  return true;
}
