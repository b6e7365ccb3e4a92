import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { collectRows, recordingContext } from '../recording.js';
import { runAccount } from '../../../../modules/account/run.js';
import { accountParams } from '../../../../modules/account/spec.js';

/**
 * Test-only child, started by host.test.ts inside a private mount namespace whose /etc is a
 * throwaway copy: it creates an account, locks and unlocks it with the module on root '/', and
 * prints what it observed as one JSON line. Nothing it does reaches the host's /etc.
 * argv: <user>
 */
const [user = 'mig-test'] = process.argv.slice(2);
const shadowFields = (): string[] =>
  (
    readFileSync('/etc/shadow', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${user}:`)) ?? ''
  ).split(':');
const run = (op: 'lock' | 'unlock'): Promise<unknown[]> =>
  collectRows(runAccount, accountParams, { users: [user], op }, recordingContext('/'));

execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '--password', '$6$mig$throwaway', user]);
const before = shadowFields();
const lockRows = await run('lock');
const locked = shadowFields();
const passwdStatus = execFileSync('passwd', ['-S', user], { encoding: 'utf8' }).split(' ')[1];
const unlockRows = await run('unlock');
const after = shadowFields();
process.stdout.write(`${JSON.stringify({ before, lockRows, locked, passwdStatus, unlockRows, after })}\n`);
