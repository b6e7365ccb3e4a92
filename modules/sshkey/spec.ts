import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { KEY_TYPES, UNKNOWN_TYPE } from './key-types.js';

/**
 * The sshkey module's self-description: which SSH keys a host holds (authorized_keys entries,
 * public key files, private key files in home directories and /etc/ssh), answered with type,
 * size and fingerprint: never the key material.
 */

export const MAX_PATHS = 64;
/**
 * How far below an extra path (`-path`) the search descends: files in the path itself are depth
 * 0, so 3 reaches `<path>/<user>/.ssh/<file>` (a home root such as /export/home) and one level
 * more (`/srv/<app>/<user>/.ssh/<file>`), without turning `-path /` into a read of the disk.
 */
export const EXTRA_PATH_DEPTH = 3;
export const MAX_FINGERPRINTS = 1024;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
export const KEY_KINDS = ['authorized_key', 'public', 'private'] as const;

const typeSchema = z.enum([...KEY_TYPES, UNKNOWN_TYPE]);

export const sshkeyParams = z.strictObject({
  paths: z
    .array(
      z
        .string()
        .max(4096)
        .regex(/^\/[^\0]*$/, 'expected an absolute path (starting with /)'),
    )
    .max(MAX_PATHS)
    .optional()
    .describe(
      `More places to look besides home directories and /etc/ssh: directories (searched down to ${EXTRA_PATH_DEPTH} levels below, so a home root such as /export/home finds <user>/.ssh/*; directory symlinks inside are not followed) or single files`,
    ),
  fingerprints: z
    .array(
      z
        .string()
        .regex(FINGERPRINT, 'expected a fingerprint as ssh-keygen -l prints it: SHA256: then 43 base64 characters'),
    )
    .max(MAX_FINGERPRINTS)
    .optional()
    .describe('Report only keys with one of these fingerprints (SHA256:..., as ssh-keygen -l prints them)'),
  types: z
    .array(typeSchema)
    .max(KEY_TYPES.length + 1)
    .optional()
    .describe('Report only keys of these types (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256...)'),
  comment: z
    .boolean()
    .default(false)
    .describe('Include key comments (often user@host: sensitive, masked in privacy mode)'),
});
export type SshkeyParams = z.output<typeof sshkeyParams>;

export const sshkeyRow = z.strictObject({
  path: z.string().describe('File holding the key'),
  kind: z.enum(KEY_KINDS).describe('authorized_key (a line of authorized_keys), public (a .pub file) or private'),
  line: z.number().int().positive().optional().describe('Line number in authorized_keys'),
  type: z.string().describe('Key type as SSH names it (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256...), or unknown'),
  bits: z.number().int().positive().optional().describe('Key size in bits, as ssh-keygen -l reports it'),
  fingerprint: z
    .string()
    .regex(FINGERPRINT)
    .optional()
    .describe('SHA256 fingerprint as ssh-keygen -l prints it; absent for encrypted PEM keys'),
  isEncrypted: z.boolean().optional().describe('Private keys: protected by a passphrase'),
  options: z
    .array(z.string())
    .optional()
    .describe('authorized_keys: names of the options before the key (command, from, no-pty...), without their values'),
  comment: z.string().optional().describe('The key comment, only with -comment'),
});
export type SshkeyRow = z.output<typeof sshkeyRow>;

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
const sshkeyCli = z.strictObject({
  path: z
    .array(z.string())
    .optional()
    .describe(paramHelp(sshkeyParams, 'paths', 'repeatable')),
  fingerprint: z
    .array(z.string())
    .optional()
    .describe(paramHelp(sshkeyParams, 'fingerprints', 'repeatable')),
  type: z
    .array(typeSchema)
    .optional()
    .describe(paramHelp(sshkeyParams, 'types', 'repeatable')),
  comment: z.boolean().optional().describe(paramHelp(sshkeyParams, 'comment')),
});

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const sshkeyModule = defineModule({
  name: 'sshkey',
  version: '1.0.0',
  summary: 'Find SSH keys (authorized_keys entries, public and private key files) by fingerprint and type',
  platforms: ['linux', 'darwin'],
  params: sshkeyParams,
  result: sshkeyRow,
  columns: [
    { key: 'path', header: 'PATH' },
    { key: 'kind', header: 'KIND' },
    { key: 'type', header: 'TYPE' },
    { key: 'bits', header: 'BITS', align: 'right' },
    { key: 'fingerprint', header: 'FINGERPRINT' },
    { key: 'isEncrypted', header: 'ENCRYPTED', isWide: true },
    { key: 'line', header: 'LINE', align: 'right', isWide: true },
    { key: 'options', header: 'OPTIONS', isWide: true },
    { key: 'comment', header: 'COMMENT', isWide: true },
  ],
  cli: {
    schema: sshkeyCli,
    flags: {},
    toParams: (values) => ({
      paths: values.path,
      fingerprints: values.fingerprint,
      types: values.type,
      comment: values.comment,
    }),
  },
  privacy: {
    // Comments are usually user@host, sometimes an e-mail address or a note.
    sensitive: ['comment'],
    maxRows: 20_000,
    maxBytes: 3 * 1024 * 1024,
  },
  limits: { timeoutMs: 2 * 60_000 },
  examples: [
    {
      command: 'mig sshkey -fingerprint SHA256:2UN3qv4HyGQOLsAfrP1iZ9OD0ROvzY5U0nx7p1AY5F8',
      explains: "Where is this (leaked or departed employee's) key authorized or stored?",
    },
    {
      command: 'mig sshkey -type ssh-dss -type ssh-rsa',
      explains: 'Hosts still holding DSA or RSA keys (check the BITS column for short RSA keys)',
    },
    {
      command: 'mig sshkey -path /srv/deploy/.ssh -comment',
      explains: 'Every key in the usual places and a deploy directory, with comments to tell whose they are',
    },
    {
      command: 'mig sshkey -path /export/home',
      explains: 'Homes outside /home and /etc/passwd: every <user>/.ssh below the path (3 levels down at most)',
    },
  ],
});
