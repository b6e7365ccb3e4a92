import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';

/** What one /etc/shadow entry says about locking: never the hash itself. */
export interface ShadowState {
  /** The password field starts with `!` (usermod -L, passwd -l). */
  isLocked: boolean;
  /** After the `!`, nothing: unlocking would leave an account without a password, which usermod refuses. */
  hasNoPassword: boolean;
  /** Field 8: days since 1970-01-01 after which the account is expired; undefined: never. */
  expireDays: number | undefined;
}

/** Reads `<root>/etc/shadow` into name → state. Lines that are not shadow entries are skipped. */
export async function readShadow(root: string): Promise<Map<string, ShadowState>> {
  const text = await readFile(posix.join(root, 'etc/shadow'), 'utf8');
  const states = new Map<string, ShadowState>();
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const [name, password, , , , , , expire] = fields;
    if (fields.length < 8 || name === undefined || name === '' || password === undefined) continue;
    const days = /^\d+$/.test(expire ?? '') ? Number(expire) : undefined;
    states.set(name, {
      isLocked: password.startsWith('!'),
      hasNoPassword: password.replace(/^!+/, '') === '',
      expireDays: days,
    });
  }
  return states;
}

/** Days since the epoch → YYYY-MM-DD, as `chage -l` would show it. */
export function expiryDate(days: number | undefined): string | undefined {
  return days === undefined ? undefined : new Date(days * 86_400_000).toISOString().slice(0, 10);
}
