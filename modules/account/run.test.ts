import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOperation } from '../../test/helpers/modules/agent-side.js';
import { collectRows, recordingContext, type Recording } from '../../test/helpers/modules/recording.js';
import { runAccount } from './run.js';
import { accountModule, accountParams } from './spec.js';

/**
 * The real usermod, editing a throwaway tree through --prefix (ctx.root): every locking state
 * without touching this host's accounts. usermod insists on running as root.
 */
const skipReason =
  process.getuid?.() !== 0
    ? 'usermod needs root'
    : existsSync('/usr/sbin/usermod')
      ? undefined
      : 'usermod not installed (Debian package passwd)';
const HASH = '$6$mig$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';
const ACCOUNTS = {
  alice: `${HASH}:19000:0:99999:7:::`,
  bob: `!${HASH}:19000:0:99999:7::1:`,
  carol: '!:19000:0:99999:7::1:',
  dave: `${HASH}:19000:0:99999:7::22280:`,
};

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mig-account-'));
  mkdirSync(join(root, 'etc'));
  const names = ['root', ...Object.keys(ACCOUNTS)];
  const write = (file: string, line: (name: string, i: number) => string, mode = 0o644): void =>
    writeFileSync(join(root, 'etc', file), names.map(line).join('\n') + '\n', { mode });
  write('passwd', (n, i) => `${n}:x:${i === 0 ? 0 : 5000 + i}:${i === 0 ? 0 : 5000 + i}::/home/${n}:/bin/sh`);
  write('group', (n, i) => `${n}:x:${i === 0 ? 0 : 5000 + i}:`);
  write('gshadow', (n) => `${n}:!::`, 0o640);
  write(
    'shadow',
    (n) => `${n}:${n === 'root' ? `${HASH}:19000:0:99999:7:::` : ACCOUNTS[n as keyof typeof ACCOUNTS]}`,
    0o640,
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const shadowLine = (user: string): string =>
  readFileSync(join(root, 'etc/shadow'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`)) ?? '';

async function run(input: unknown): Promise<{ rows: Record<string, unknown>[]; rec: Recording }> {
  const rec = recordingContext(root);
  return { rows: await collectRows(runAccount, accountParams, input, rec), rec };
}

const NO_PASSWORD = 'unlocking would leave the account without a password, which usermod refuses: set a password first';

describe.skipIf(skipReason !== undefined)(
  `runAccount with the real usermod on a --prefix tree${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
    // table's.
    it.each([
      {
        name: 'lock: password and account',
        input: { users: ['alice'], op: 'lock' },
        want: {
          user: 'alice',
          op: 'lock',
          isApplied: true,
          isDryRun: false,
          before: 'unlocked',
          after: 'locked',
          expiresAfter: '1970-01-02',
        },
        wantLine: `alice:!${HASH}:19000:0:99999:7::1:`,
      },
      {
        name: 'lock keeps the old expiry in the row',
        input: { users: ['dave'], op: 'lock' },
        want: {
          user: 'dave',
          op: 'lock',
          isApplied: true,
          isDryRun: false,
          before: 'unlocked',
          after: 'locked',
          expiresBefore: '2031-01-01',
          expiresAfter: '1970-01-02',
        },
        wantLine: `dave:!${HASH}:19000:0:99999:7::1:`,
      },
      {
        name: 'lock what is locked: left alone',
        input: { users: ['bob'], op: 'lock' },
        want: {
          user: 'bob',
          op: 'lock',
          isApplied: false,
          isDryRun: false,
          before: 'locked',
          after: 'locked',
          expiresBefore: '1970-01-02',
          expiresAfter: '1970-01-02',
        },
        wantLine: `bob:${ACCOUNTS.bob}`,
      },
      {
        name: 'unlock: password back, no expiry',
        input: { users: ['bob'], op: 'unlock' },
        want: {
          user: 'bob',
          op: 'unlock',
          isApplied: true,
          isDryRun: false,
          before: 'locked',
          after: 'unlocked',
          expiresBefore: '1970-01-02',
        },
        wantLine: `bob:${HASH}:19000:0:99999:7:::`,
      },
      {
        name: 'unlock a passwordless account: usermod refuses the password part',
        input: { users: ['carol'], op: 'unlock' },
        want: {
          user: 'carol',
          op: 'unlock',
          isApplied: true,
          isDryRun: false,
          before: 'locked',
          after: 'locked',
          expiresBefore: '1970-01-02',
          error: NO_PASSWORD,
        },
        wantLine: 'carol:!:19000:0:99999:7:::',
      },
      {
        name: 'dry run: predicted, nothing written',
        input: { users: ['alice'], op: 'lock', dryrun: true },
        want: {
          user: 'alice',
          op: 'lock',
          isApplied: false,
          isDryRun: true,
          before: 'unlocked',
          after: 'locked',
          expiresAfter: '1970-01-02',
        },
        wantLine: `alice:${ACCOUNTS.alice}`,
      },
      {
        name: 'dry run of a refused unlock says so',
        input: { users: ['carol'], op: 'unlock', dryrun: true },
        want: {
          user: 'carol',
          op: 'unlock',
          isApplied: false,
          isDryRun: true,
          before: 'locked',
          after: 'locked',
          expiresBefore: '1970-01-02',
          error: NO_PASSWORD,
        },
        wantLine: `carol:${ACCOUNTS.carol}`,
      },
      {
        name: 'no such account',
        input: { users: ['mallory'], op: 'lock' },
        want: {
          user: 'mallory',
          op: 'lock',
          isApplied: false,
          isDryRun: false,
          before: 'missing',
          after: 'missing',
          error: 'no such account in /etc/shadow',
        },
        wantLine: '',
      },
    ])('$name', async ({ input, want, wantLine }) => {
      const { rows, rec } = await run(input);
      expect(rows).toEqual([want]);
      expect(shadowLine(want.user)).toBe(wantLine);
      expect(rec.journal).toEqual([want]);
      // Answers say locked or not, never the hash.
      expect(JSON.stringify(rows)).not.toContain('$6$');
    });

    it('each account once, in order; root untouched', async () => {
      const { rows } = await run({ users: ['dave', 'alice', 'dave'], op: 'lock' });
      expect(rows.map((r) => r.user)).toEqual(['dave', 'alice']);
      expect(shadowLine('root')).toBe(`root:${HASH}:19000:0:99999:7:::`);
    });

    it('stops when aborted', async () => {
      const rec = recordingContext(root);
      rec.controller.abort();
      expect(await collectRows(runAccount, accountParams, { users: ['alice'], op: 'lock' }, rec)).toEqual([]);
      expect(shadowLine('alice')).toBe(`alice:${ACCOUNTS.alice}`);
    });

    it('rows pass the runner and its result schema', async () => {
      const params = accountParams.parse({ users: ['alice', 'mallory'], op: 'lock', dryrun: true });
      const outcome = await runOperation(accountModule, runAccount, params, {
        root,
        isPrivacyMode: true,
        timeoutMs: 10_000,
      });
      expect(outcome.status).toBe('success');
      expect(outcome.result.rows.map((r) => [r.user, r.after])).toEqual([
        ['alice', 'locked'],
        ['mallory', 'missing'],
      ]);
      expect(outcome.result.stats.rowsRejected).toBeUndefined();
    });
  },
);
