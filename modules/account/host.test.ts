import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectRows, recordingContext } from '../shared/testing.js';
import { runAccount } from './run.js';
import { accountParams } from './spec.js';

/** This host's own /etc/shadow, with a throwaway account created for each test and removed after. */
const skipReason =
  process.getuid?.() !== 0 ? 'not root' : !['/usr/sbin/useradd', '/usr/sbin/userdel', '/usr/sbin/usermod'].every(existsSync) ? 'useradd/userdel/usermod not installed (Debian package passwd)' : undefined;

let user: string;

beforeEach(() => {
  if (skipReason !== undefined) return;
  user = `mig-test-${randomBytes(4).toString('hex')}`;
  execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '--password', '$6$mig$throwaway', user]);
});
afterEach(() => {
  if (skipReason === undefined) execFileSync('userdel', [user]);
});

const shadowFields = (): string[] => (readFileSync('/etc/shadow', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`)) ?? '').split(':');

async function run(op: 'lock' | 'unlock'): Promise<unknown[]> {
  return collectRows(runAccount, accountParams, { users: [user], op }, recordingContext('/'));
}

describe.skipIf(skipReason !== undefined)(`runAccount on this host's accounts${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  it('locks a throwaway account (password and expiry), then unlocks it to what it was', async () => {
    const before = shadowFields();
    expect(await run('lock')).toEqual([{ user, op: 'lock', isApplied: true, isDryRun: false, before: 'unlocked', after: 'locked', expiresAfter: '1970-01-02' }]);
    const locked = shadowFields();
    expect(locked[1]).toBe(`!${before[1]}`);
    expect(locked[7]).toBe('1');
    // `passwd -S` agrees: L for a locked password.
    expect(execFileSync('passwd', ['-S', user], { encoding: 'utf8' }).split(' ')[1]).toBe('L');
    expect(await run('unlock')).toEqual([{ user, op: 'unlock', isApplied: true, isDryRun: false, before: 'locked', after: 'unlocked', expiresBefore: '1970-01-02' }]);
    expect(shadowFields()).toEqual(before);
  });
});
