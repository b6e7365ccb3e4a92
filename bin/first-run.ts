import { access, mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../protocol/errors.js';
import {
  DEFAULT_SERVER_URL,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  configPath,
  writeNewConfig,
} from '../console/services/config.js';
import { createGpgSigner, exportPublicKey, type GpgOptions } from '../console/services/gpg.js';
import { configuredDefaultKey, gnupgHome, listSigningKeys, type SigningKey } from '../console/services/gpg-keyring.js';
import { promptMasked, type MaybeTtyInput } from '../console/services/passphrase.js';
import { generateIdentity } from '../console/services/signer.js';
import { askChoice } from './first-run-prompt.js';

/**
 * `npm start` on a fresh machine: the investigator identity, with as few questions as can be.
 * The product promise is that actions are signed with the investigator's own key, so a GnuPG
 * keyring that holds a signing key wins: gpg.conf's `default-key`, else the only key, else a
 * numbered choice on a terminal (without one: the first, with a note on how to pick another).
 * The private key stays in gpg; gpg-agent's pinentry asks for its passphrase. Only without such
 * a key is a key file created. Either way the output says where the key is and how to switch.
 * MIG_NO_GPG=1 skips the keyring (tests, and anyone who wants a separate key).
 */

export interface FirstRunIo {
  env: NodeJS.ProcessEnv;
  stdin: MaybeTtyInput;
  stderr: NodeJS.WritableStream;
}

const SWITCH_HINT = (home: string): string =>
  `  to switch later: move ${home} away (or set MIG_HOME elsewhere), then run \`mig init --gpg FINGERPRINT\` for a GPG key (list them: gpg --list-secret-keys) or \`mig init\` for a key file`;

/** Returns true when an identity was created now. */
export async function ensureIdentity(home: string, io: FirstRunIo): Promise<boolean> {
  const hasConfig = await access(configPath(home)).then(
    () => true,
    () => false,
  );
  if (hasConfig) return false;
  const name = io.env.USER ?? userInfo().username;
  const gpg: GpgOptions = { env: io.env };
  const key = io.env.MIG_NO_GPG === '1' ? undefined : await pickGpgKey(gpg, io);
  if (key === undefined) await createKeyFile(home, name, io);
  else await useGpgKey(home, name, key, gpg, io);
  io.stderr.write(`${SWITCH_HINT(home)}\n`);
  return true;
}

/** The keyring's signing key to use, or undefined when it has none (or gpg is not installed). */
async function pickGpgKey(gpg: GpgOptions, io: FirstRunIo): Promise<SigningKey | undefined> {
  const keys = await listSigningKeys(gpg);
  const [first] = keys;
  if (first === undefined) return undefined;
  const configured = await configuredDefaultKey(gpg, keys);
  const byDefault = keys.find((k) => k.fingerprint === configured);
  if (byDefault !== undefined) {
    io.stderr.write(`First run: your GnuPG default-key (${join(gnupgHome(gpg), 'gpg.conf')}) will sign your actions\n`);
    return byDefault;
  }
  if (keys.length === 1) {
    io.stderr.write('First run: the signing key in your GnuPG keyring will sign your actions\n');
    return first;
  }
  if (io.stdin.isTTY === true) {
    const index = await askChoice(
      'First run: your GnuPG keyring holds several signing keys. Which one signs your actions?',
      keys.map(describe),
      io.stdin,
      io.stderr,
    );
    return keys[index] ?? first;
  }
  io.stderr.write(
    `First run: your GnuPG keyring holds ${keys.length} signing keys; using the first (no terminal to ask on):\n` +
      `${keys.map((k, i) => `  ${i + 1}) ${describe(k)}`).join('\n')}\n` +
      '  to pick another now: set default-key in gpg.conf, or run `mig init --gpg FINGERPRINT` before `npm start`\n',
  );
  return first;
}

function describe(key: SigningKey): string {
  return `${key.fingerprint.toUpperCase()}  ${key.userId}`;
}

async function useGpgKey(home: string, name: string, key: SigningKey, gpg: GpgOptions, io: FirstRunIo): Promise<void> {
  io.stderr.write(`  key          ${describe(key)}\n`);
  // One signature now, before the console takes the terminal: gpg-agent's pinentry asks for the
  // passphrase here (then caches it), and a key that cannot sign fails before anything is written.
  io.stderr.write('  checking that gpg signs with it (gpg-agent may ask for its passphrase)...\n');
  try {
    await createGpgSigner(key.fingerprint, gpg).sign(new TextEncoder().encode('mig first run'));
  } catch (err) {
    throw new UserError(
      'SIGNER_FAILED',
      `gpg could not sign with ${key.fingerprint}: ${(err as Error).message}`,
      'fix gpg (or its agent), or set MIG_NO_GPG=1 to create a separate key file',
      { cause: err },
    );
  }
  const publicKey = await exportPublicKey(key.fingerprint, gpg);
  await mkdir(home, { recursive: true, mode: 0o700 });
  await writeFile(join(home, PUBLIC_KEY_FILE), publicKey, { flag: 'wx', mode: 0o644 });
  const gpgHome = io.env.GNUPGHOME;
  await writeNewConfig(home, {
    serverUrl: DEFAULT_SERVER_URL,
    signer: { kind: 'gpg', fingerprint: key.fingerprint, ...(gpgHome === undefined ? {} : { gpgHome }) },
    name,
  });
  io.stderr.write(
    `  private key  stays in gpg (${gnupgHome(gpg)}); public key ${join(home, PUBLIC_KEY_FILE)}; config ${configPath(home)}\n`,
  );
}

async function createKeyFile(home: string, name: string, io: FirstRunIo): Promise<void> {
  io.stderr.write(`First run: no GnuPG signing key found; creating an investigator key for ${name}\n`);
  let passphrase = io.env.MIG_PASSPHRASE;
  if (passphrase === undefined && io.stdin.isTTY === true) {
    passphrase = await promptMasked('Passphrase for the new key (Enter for none): ', io.stdin, io.stderr);
  }
  const identity = await generateIdentity({
    name,
    ...(passphrase === undefined || passphrase === '' ? {} : { passphrase }),
  });
  await mkdir(home, { recursive: true, mode: 0o700 });
  await writeFile(join(home, PRIVATE_KEY_FILE), identity.privateKeyArmored, { flag: 'wx', mode: 0o600 });
  await writeFile(join(home, PUBLIC_KEY_FILE), identity.publicKeyArmored, { flag: 'wx', mode: 0o644 });
  await writeNewConfig(home, {
    serverUrl: DEFAULT_SERVER_URL,
    signer: { kind: 'keyfile', path: PRIVATE_KEY_FILE },
    name,
  });
  io.stderr.write(`  fingerprint  ${identity.fingerprint}\n`);
  io.stderr.write(
    `  private key  ${join(home, PRIVATE_KEY_FILE)} (mode 0600, ${passphrase === undefined || passphrase === '' ? 'NO passphrase' : 'passphrase-protected'}); config ${configPath(home)}\n`,
  );
}
