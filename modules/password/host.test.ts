import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInThrowawayEtc, throwawayEtcSkipReason } from '../../test/helpers/modules/throwaway-etc.js';
import { collectRows, recordingContext } from '../../test/helpers/modules/recording.js';
import { runPassword } from './run.js';
import { passwordParams } from './spec.js';

/**
 * The module on root '/' with the real shadow tools (chpasswd, chage), never on this host's
 * accounts: the child runs in a private mount namespace (unshare) where /etc is a bind-mounted
 * throwaway copy (test/helpers/modules/throwaway-etc.ts).
 */
const CHILD = fileURLToPath(new URL('../../test/helpers/modules/password/host-child.ts', import.meta.url));
const TOOLS = [
  '/usr/sbin/useradd',
  '/usr/sbin/usermod',
  '/usr/sbin/chpasswd',
  '/usr/bin/chage',
  '/usr/bin/unshare',
  '/usr/bin/passwd',
  '/usr/bin/openssl',
];

const skipReason = throwawayEtcSkipReason(TOOLS, 'passwd, util-linux, openssl');
if (skipReason !== undefined) console.log(`modules/password/host.test.ts skipped: ${skipReason}`);

const opensslHash = (password: string): string =>
  execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: password, encoding: 'utf8' }).trim();

interface Observed {
  answers: { step: string; rows: Record<string, unknown>[]; journal: unknown[]; logs: string[]; warnings: string[] }[];
  files: { step: string; password: string; lastChange: string; status: string }[];
}

function runInEtcCopy(args: readonly string[]): Promise<Observed> {
  return runInThrowawayEtc(CHILD, args, 120_000) as Promise<Observed>;
}

describe.skipIf(skipReason !== undefined)(
  `runPassword on root '/' in a throwaway /etc${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    it('sets hashes and forces changes as asked, answers what /etc/shadow says, and never says the hash', async () => {
      const user = `mig-test-${randomBytes(4).toString('hex')}`;
      const hashes = [opensslHash('before'), opensslHash('temporary-1'), opensslHash('temporary-2')] as const;
      const seen = await runInEtcCopy([user, ...hashes]);
      const rowsOf = (step: string) => seen.answers.find((a) => a.step === step)?.rows;
      const fileAt = (step: string) => seen.files.find((f) => f.step === step);
      const base = { user, isDryRun: false, method: 'sha512crypt' };

      expect(rowsOf('dry run')).toEqual([
        {
          ...base,
          isDryRun: true,
          isApplied: false,
          before: 'password',
          after: 'password',
          isHashSet: true,
          mustChange: true,
          changedBefore: expect.any(String),
        },
      ]);
      expect(fileAt('dry run')).toMatchObject({ password: hashes[0], status: 'P' });

      expect(rowsOf('set')).toMatchObject([
        { ...base, isApplied: true, before: 'password', after: 'password', isHashSet: true, mustChange: false },
      ]);
      expect(fileAt('set')).toMatchObject({ password: hashes[1], status: 'P' });
      expect(fileAt('set')?.lastChange).not.toBe('0');

      expect(rowsOf('set again')).toMatchObject([{ ...base, isApplied: false, isHashSet: true, mustChange: false }]);

      expect(rowsOf('expire')).toMatchObject([{ ...base, isApplied: true, mustChange: true }]);
      expect(rowsOf('expire')?.[0]).not.toHaveProperty('isHashSet');
      expect(fileAt('expire')).toMatchObject({ password: hashes[1], lastChange: '0' });

      expect(rowsOf('set and expire')).toMatchObject([{ ...base, isApplied: true, isHashSet: true, mustChange: true }]);
      expect(fileAt('set and expire')).toMatchObject({ password: hashes[2], lastChange: '0' });

      // Setting a hash replaces a locked one: the account can log in with the new password.
      expect(rowsOf('set on a locked account')).toMatchObject([
        { ...base, isApplied: true, before: 'locked', after: 'password', isHashSet: true },
        {
          user: 'mig-no-such-user',
          isApplied: false,
          before: 'missing',
          after: 'missing',
          error: 'no such account in /etc/shadow',
        },
      ]);
      expect(fileAt('set on a locked account')).toMatchObject({ password: hashes[1], status: 'P' });

      // Every answer, journal entry, log and warning: no hash, old or new.
      const answered = JSON.stringify(seen.answers);
      for (const hash of hashes) expect(answered).not.toContain(hash);
      expect(seen.answers.flatMap((a) => a.journal)).toHaveLength(7);
      expect(readFileSync('/etc/passwd', 'utf8')).not.toContain(`${user}:`);
    });
  },
);

describe('runPassword elsewhere than root /', () => {
  it('refuses: the shadow tools change only the running host', async () => {
    const rec = recordingContext(tmpdir());
    await expect(collectRows(runPassword, passwordParams, { users: ['deploy'], expire: true }, rec)).rejects.toThrow(
      /password changes this host's own accounts only: the agent's root is .*, not \//,
    );
  });
});
