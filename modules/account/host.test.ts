import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInThrowawayEtc, throwawayEtcSkipReason } from '../../test/helpers/modules/throwaway-etc.js';

/**
 * The module on root '/' against the real shadow tools, but never on this host's accounts: the
 * child runs in a private mount namespace (unshare) where /etc is a bind-mounted throwaway copy.
 */
const CHILD = fileURLToPath(new URL('../../test/helpers/modules/account/host-child.ts', import.meta.url));
const TOOLS = ['/usr/sbin/useradd', '/usr/sbin/usermod', '/usr/bin/unshare', '/usr/bin/passwd'];

const skipReason = throwawayEtcSkipReason(TOOLS, 'passwd, util-linux');
if (skipReason !== undefined) console.log(`modules/account/host.test.ts skipped: ${skipReason}`);

interface Observed {
  before: string[];
  lockRows: unknown[];
  locked: string[];
  passwdStatus: string;
  unlockRows: unknown[];
  after: string[];
}

function runInEtcCopy(user: string): Promise<Observed> {
  return runInThrowawayEtc(CHILD, [user], 60_000) as Promise<Observed>;
}

describe.skipIf(skipReason !== undefined)(
  `runAccount on root '/' in a throwaway /etc${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    it('locks a throwaway account (password and expiry), then unlocks it to what it was; the host never sees it', async () => {
      const user = `mig-test-${randomBytes(4).toString('hex')}`;
      const seen = await runInEtcCopy(user);
      expect(seen.before[0]).toBe(user);
      // Alike on purpose (duplicates): run.test.ts expects the same lock row from the usermod
      // tree; each test states in full the row it expects from its own host.
      expect(seen.lockRows).toEqual([
        {
          user,
          op: 'lock',
          isApplied: true,
          isDryRun: false,
          before: 'unlocked',
          after: 'locked',
          expiresAfter: '1970-01-02',
        },
      ]);
      expect(seen.locked[1]).toBe(`!${seen.before[1]}`);
      expect(seen.locked[7]).toBe('1');
      // `passwd -S` agrees: L for a locked password.
      expect(seen.passwdStatus).toBe('L');
      expect(seen.unlockRows).toEqual([
        {
          user,
          op: 'unlock',
          isApplied: true,
          isDryRun: false,
          before: 'locked',
          after: 'unlocked',
          expiresBefore: '1970-01-02',
        },
      ]);
      expect(seen.after).toEqual(seen.before);
      expect(readFileSync('/etc/passwd', 'utf8')).not.toContain(`${user}:`);
    });
  },
);
