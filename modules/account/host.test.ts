import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The module on root '/' against the real shadow tools, but never on this host's accounts: the
 * child runs in a private mount namespace (unshare) where /etc is a bind-mounted throwaway copy.
 */
const CHILD = fileURLToPath(new URL('../../test/helpers/modules/account/host-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TOOLS = ['/usr/sbin/useradd', '/usr/sbin/usermod', '/usr/bin/unshare', '/usr/bin/passwd'];

const skipReason =
  process.platform !== 'linux'
    ? 'mount namespaces are Linux-only'
    : process.getuid?.() !== 0
      ? 'not root (a private mount namespace needs CAP_SYS_ADMIN)'
      : !TOOLS.every(existsSync)
        ? `needs ${TOOLS.join(', ')} (Debian packages passwd, util-linux)`
        : undefined;
if (skipReason !== undefined) console.log(`modules/account/host.test.ts skipped: ${skipReason}`);

let scratch: string | undefined;
afterEach(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

interface Observed {
  before: string[];
  lockRows: unknown[];
  locked: string[];
  passwdStatus: string;
  unlockRows: unknown[];
  after: string[];
}

/** Copies /etc, binds the copy over /etc in a new mount namespace and runs the child there. */
async function runInThrowawayEtc(user: string): Promise<Observed> {
  scratch = mkdtempSync(join(tmpdir(), 'mig-etc-'));
  const script = 'cp -a /etc "$1/etc" && mount --bind "$1/etc" /etc && shift && exec "$@"';
  const args = [
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    script,
    'sh',
    scratch,
    process.execPath,
    '--import',
    'tsx',
    CHILD,
    user,
  ];
  const { stdout } = await promisify(execFile)('unshare', args, { cwd: REPO, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Observed;
}

describe.skipIf(skipReason !== undefined)(
  `runAccount on root '/' in a throwaway /etc${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    it('locks a throwaway account (password and expiry), then unlocks it to what it was; the host never sees it', async () => {
      const user = `mig-test-${randomBytes(4).toString('hex')}`;
      const seen = await runInThrowawayEtc(user);
      expect(seen.before[0]).toBe(user);
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
