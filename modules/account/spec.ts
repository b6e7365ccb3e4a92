import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';

/**
 * The account response module: lock or unlock local accounts. Locking both disables the password
 * (a `!` before the hash) and expires the account (so SSH keys and other non-password logins stop
 * too); unlocking undoes both. Rows report the locked state before and after, never the hash.
 */

export const MAX_USERS = 64;
/** Debian's adduser NAME_REGEX, relaxed to upper case, plus Samba's trailing `$`; never a leading `-` (an option to usermod). */
const USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?$/;

const userName = z.string().superRefine((value, ctx) => {
  if (value === 'root')
    ctx.addIssue({ code: 'custom', message: 'root is never locked: it is how the host is repaired' });
  else if (!USER_NAME.test(value))
    ctx.addIssue({
      code: 'custom',
      message: `expected a local account name (letters, digits, _ . -, at most 32), got ${JSON.stringify(value.slice(0, 64))}`,
    });
});

export const accountParams = z.strictObject({
  users: z.array(userName).min(1, 'expected at least one account').max(MAX_USERS).describe('Local account names'),
  op: z.enum(['lock', 'unlock']).describe('lock: disable the password and expire the account; unlock: undo both'),
  dryrun: z.boolean().default(false).describe('Report what would change and change nothing'),
});

export const ACCOUNT_STATES = ['locked', 'unlocked', 'missing'] as const;

export const accountRow = z.strictObject({
  user: z.string().describe('Account name'),
  op: z.enum(['lock', 'unlock']).describe('What was asked'),
  isApplied: z.boolean().describe('True when this run changed the account'),
  isDryRun: z.boolean().describe('True: nothing was changed, `after` is what would be'),
  before: z
    .enum(ACCOUNT_STATES)
    .describe('Password locked (a ! before the hash in /etc/shadow) before the change; missing: no such account'),
  after: z.enum(ACCOUNT_STATES).describe('Password locked after the change (or after it, for a dry run)'),
  expiresBefore: z.string().optional().describe('Account expiry date before (YYYY-MM-DD); absent: never'),
  expiresAfter: z.string().optional().describe('Account expiry date after (YYYY-MM-DD); absent: never'),
  error: z.string().optional().describe('Why the account is not in the state asked for'),
});

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
const accountCli = z.strictObject({
  user: z.array(z.string()).describe(paramHelp(accountParams, 'users', 'repeat for several')),
  op: z.enum(['lock', 'unlock']).describe('lock: disable the password and expire the account; unlock: undo both'),
  dryrun: z.boolean().optional().describe('Report what would change and change nothing'),
});

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const accountModule = defineModule({
  name: 'account',
  version: '1.0.0',
  summary: 'Lock or unlock local accounts (response: needs two signatures)',
  platforms: ['linux'],
  params: accountParams,
  result: accountRow,
  columns: [
    { key: 'user', header: 'USER' },
    { key: 'op', header: 'OP' },
    { key: 'before', header: 'BEFORE' },
    { key: 'after', header: 'AFTER' },
    { key: 'isApplied', header: 'APPLIED' },
    { key: 'isDryRun', header: 'DRY RUN' },
    { key: 'expiresAfter', header: 'EXPIRES', isWide: true },
    { key: 'error', header: 'ERROR', isWide: true },
  ],
  cli: { schema: accountCli, flags: {}, toParams: (v) => ({ users: v.user, op: v.op, dryrun: v.dryrun === true }) },
  privacy: { maxRows: MAX_USERS, maxBytes: 64 * 1024 },
  limits: { timeoutMs: 60_000 },
  examples: [
    {
      command: "mig account -t \"tags->>'role' = 'web'\" -user deploy -op lock -dryrun",
      explains: 'Which web servers have a deploy account, and whether it is locked; nothing changes',
    },
    {
      command: "mig account -t \"tags->>'role' = 'web'\" -user deploy -user jenkins -op lock",
      explains: 'Lock two compromised service accounts everywhere: no password, no SSH key, no cron login',
    },
    {
      command: 'mig account -t "name = \'web-7\'" -user deploy -op unlock',
      explains: 'Give the deploy account on web-7 back once its keys were rotated',
    },
  ],
});
