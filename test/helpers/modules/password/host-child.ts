import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { collectRows, recordingContext } from '../recording.js';
import { runPassword } from '../../../../modules/password/run.js';
import { passwordParams } from '../../../../modules/password/spec.js';

/**
 * Test-only child, started by modules/password/host.test.ts inside a private mount namespace whose
 * /etc is a throwaway copy: it creates an account, changes its password with the module on root
 * '/' step by step, and prints one JSON line: what the module answered (rows, journal, logs,
 * warnings) apart from what /etc/shadow and the shadow tools said. Nothing reaches the host's /etc.
 * argv: <user> <hash0> <hash1> <hash2>
 */
const [user = 'mig-test', hash0 = '', hash1 = '', hash2 = ''] = process.argv.slice(2);
const shadow = (): string[] =>
  (
    readFileSync('/etc/shadow', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${user}:`)) ?? ''
  ).split(':');
const passwdStatus = (): string => execFileSync('passwd', ['-S', user], { encoding: 'utf8' }).split(' ')[1] ?? '';

const answers: { step: string; rows: unknown[]; journal: unknown[]; logs: string[]; warnings: string[] }[] = [];
const files: { step: string; password: string; lastChange: string; status: string }[] = [];
async function step(name: string, input: Record<string, unknown>): Promise<void> {
  const rec = recordingContext('/');
  const rows = await collectRows(runPassword, passwordParams, input, rec);
  answers.push({ step: name, rows, journal: rec.journal, logs: rec.logs, warnings: rec.warnings });
  const fields = shadow();
  files.push({ step: name, password: fields[1] ?? '', lastChange: fields[2] ?? '', status: passwdStatus() });
}

execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '--password', hash0, user]);
await step('dry run', { users: [user], hash: hash1, expire: true, dryrun: true });
await step('set', { users: [user], hash: hash1 });
await step('set again', { users: [user], hash: hash1 });
await step('expire', { users: [user], expire: true });
await step('set and expire', { users: [user], hash: hash2, expire: true });
execFileSync('usermod', ['--lock', user]);
await step('set on a locked account', { users: [user, 'mig-no-such-user'], hash: hash1 });
process.stdout.write(`${JSON.stringify({ answers, files })}\n`);
