import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { findSecretKey, runGpg, type GpgOptions } from './gpg.js';

/**
 * What the investigator's GnuPG keyring offers for signing, so a first run can use the key they
 * already have instead of making another one.
 */

export interface SigningKey {
  /** Primary key fingerprint, lowercase hex. */
  fingerprint: string;
  /** The first user id, e.g. `Dana Investigator <dana@example.org>`. */
  userId: string;
}

/** gpg's validity letters for keys that cannot be used: expired, revoked, disabled, invalid. */
const UNUSABLE = new Set(['e', 'r', 'd', 'i', 'n']);

/**
 * Secret keys that can sign, in keyring order. gpg's colon format (doc/DETAILS in GnuPG): on a
 * `sec` record, field 2 is the validity and field 12 the capabilities, where an upper-case `S`
 * means the key as a whole (primary or a subkey) can sign and `D` that it is disabled.
 * [] when gpg is absent or the keyring holds no such key.
 */
export async function listSigningKeys(opts: GpgOptions): Promise<SigningKey[]> {
  let colons: string;
  try {
    colons = (await runGpg(['--batch', '--with-colons', '--list-secret-keys'], opts)).stdout.toString('utf8');
  } catch {
    return [];
  }
  const keys: SigningKey[] = [];
  let current: { isUsable: boolean; fingerprint?: string; userId?: string } | undefined;
  const finish = (): void => {
    if (current?.isUsable === true && current.fingerprint !== undefined)
      keys.push({ fingerprint: current.fingerprint, userId: current.userId ?? '' });
    current = undefined;
  };
  for (const line of colons.split('\n')) {
    const fields = line.split(':');
    const kind = fields[0];
    if (kind === 'sec') {
      finish();
      const capabilities = fields[11] ?? '';
      current = {
        isUsable: !UNUSABLE.has(fields[1] ?? '') && capabilities.includes('S') && !capabilities.includes('D'),
      };
    } else if (kind === 'fpr' && current !== undefined && current.fingerprint === undefined) {
      current.fingerprint = (fields[9] ?? '').toLowerCase();
    } else if (kind === 'uid' && current !== undefined && current.userId === undefined) {
      current.userId = unescapeColons(fields[9] ?? '');
    }
  }
  finish();
  return keys;
}

/** gpg escapes ':' and other bytes in colon output as \xNN. */
function unescapeColons(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** The GnuPG home gpg itself would use. */
export function gnupgHome(opts: GpgOptions): string {
  return opts.gpgHome ?? opts.env.GNUPGHOME ?? join(opts.env.HOME ?? homedir(), '.gnupg');
}

/**
 * The fingerprint named by `default-key` in gpg.conf, when it names one of `keys`. gpg.conf
 * holds one option per line, `#` comments; gpg uses the last `default-key` whose secret key is
 * available, so that is the one taken here too. Undefined when there is none.
 */
export async function configuredDefaultKey(opts: GpgOptions, keys: readonly SigningKey[]): Promise<string | undefined> {
  let conf: string;
  try {
    conf = await readFile(join(gnupgHome(opts), 'gpg.conf'), 'utf8');
  } catch {
    return undefined;
  }
  const specs = conf
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^default-key\s/.test(line))
    .map((line) =>
      line
        .replace(/^default-key\s+/, '')
        .replace(/^"(.*)"$/, '$1')
        .replace(/!$/, '')
        .trim(),
    )
    .filter((spec) => spec !== '');
  for (const spec of specs.reverse()) {
    const fingerprint = await findSecretKey(spec, opts).catch(() => undefined);
    if (fingerprint !== undefined && keys.some((k) => k.fingerprint === fingerprint)) return fingerprint;
  }
  return undefined;
}
