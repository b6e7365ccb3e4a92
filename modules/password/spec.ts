import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { cryptHashProblem } from './crypt-hash.js';

/**
 * The password response module: set local accounts' password from a crypt(3) hash the
 * investigator made (never plaintext), and/or force a password change at the next login. Rows
 * say what the account's password state was and is, and whether the stored hash is now the one
 * given: never the hash itself.
 */

export const MAX_USERS = 64;
/** As the account module: Debian's NAME_REGEX relaxed, Samba's `$`, never a leading `-`. */
const USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?$/;

const userName = z.string().superRefine((value, ctx) => {
  if (!USER_NAME.test(value))
    ctx.addIssue({
      code: 'custom',
      message: `expected a local account name (letters, digits, _ . -, at most 32), got ${JSON.stringify(value.slice(0, 64))}`,
    });
});

const cryptHash = z.string().superRefine((value, ctx) => {
  const problem = cryptHashProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const passwordParams = z
  .strictObject({
    users: z.array(userName).min(1, 'expected at least one account').max(MAX_USERS).describe('Local account names'),
    hash: cryptHash
      .optional()
      .describe(
        'New password as a crypt(3) hash ($y$, $6$, $5$ or $2b$), e.g. from openssl passwd -6; never plaintext',
      ),
    expire: z.boolean().default(false).describe('Force a password change at the next login'),
    dryrun: z.boolean().default(false).describe('Report what would change and change nothing'),
  })
  .refine((p) => p.hash !== undefined || p.expire, {
    message: 'expected a hash, expire, or both: what should change?',
    path: ['hash'],
  });

export const PASSWORD_STATES = ['password', 'locked', 'none', 'missing'] as const;

export const passwordRow = z.strictObject({
  user: z.string().describe('Account name'),
  isApplied: z.boolean().describe('True when this run changed the account'),
  isDryRun: z.boolean().describe('True: nothing was changed, `after` is what would be'),
  before: z
    .enum(PASSWORD_STATES)
    .describe('The password before: set, locked (! before the hash), none (empty or *), or missing (no such account)'),
  after: z.enum(PASSWORD_STATES).describe('The password after the change (or after it, for a dry run)'),
  method: z.string().optional().describe('crypt method of the stored hash after (sha512crypt, yescrypt...)'),
  isHashSet: z
    .boolean()
    .optional()
    .describe('True when /etc/shadow now holds exactly the hash given; absent when no hash was given'),
  mustChange: z.boolean().describe('True when the password must be changed at the next login'),
  changedBefore: z
    .string()
    .optional()
    .describe('Date of the last password change before (YYYY-MM-DD); absent: never or forced'),
  error: z.string().optional().describe('Why the account is not as asked'),
});

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
const passwordCli = z.strictObject({
  user: z.array(z.string()).describe(paramHelp(passwordParams, 'users', 'repeat for several')),
  hash: z
    .string()
    .optional()
    .describe(paramHelp(passwordParams, 'hash', "quote it: '$6$…'")),
  expire: z.boolean().optional().describe(paramHelp(passwordParams, 'expire')),
  dryrun: z.boolean().optional().describe(paramHelp(passwordParams, 'dryrun')),
});

function toParams(v: z.output<typeof passwordCli>): z.input<typeof passwordParams> {
  return {
    users: v.user,
    ...(v.hash === undefined ? {} : { hash: v.hash }),
    expire: v.expire === true,
    dryrun: v.dryrun === true,
  };
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const passwordModule = defineModule({
  name: 'password',
  version: '1.0.0',
  summary: 'Set local passwords from a crypt(3) hash, or force a change at next login (response: needs two signatures)',
  platforms: ['linux'],
  params: passwordParams,
  result: passwordRow,
  columns: [
    { key: 'user', header: 'USER' },
    { key: 'before', header: 'BEFORE' },
    { key: 'after', header: 'AFTER' },
    { key: 'isHashSet', header: 'HASH SET' },
    { key: 'mustChange', header: 'MUST CHANGE' },
    { key: 'isApplied', header: 'APPLIED' },
    { key: 'isDryRun', header: 'DRY RUN' },
    { key: 'method', header: 'METHOD', isWide: true },
    { key: 'changedBefore', header: 'CHANGED', isWide: true },
    { key: 'error', header: 'ERROR', isWide: true },
  ],
  cli: { schema: passwordCli, flags: { user: { param: 'users' } }, toParams },
  privacy: { maxRows: MAX_USERS, maxBytes: 64 * 1024 },
  limits: { timeoutMs: 60_000 },
  examples: [
    {
      command: "mig password -t \"tags->>'role' = 'web'\" -user deploy -expire -dryrun",
      explains:
        'Which web servers have a deploy account with a password, and what forcing a change would do; nothing changes',
    },
    {
      command: 'mig password -t "name = \'web-7\'" -user deploy -expire',
      explains: 'Make deploy choose a new password at its next login on web-7',
    },
    {
      command:
        "mig password -t \"tags->>'role' = 'web'\" -user deploy -hash '$6$Jq3uZx0E$hpUykTFeLcu.rf2/c6OFbg2rtsQuQujGTDn7JiAzlnEDU47htrYJAD/nJnOuA8KOD3xD1aOLiGRc//K7eeLqo/' -expire",
      explains:
        'Give deploy a temporary password everywhere (its hash made with openssl passwd -6), to be changed at next login',
    },
  ],
});
