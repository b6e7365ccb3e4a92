import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { definedOnly, flagFor } from '../shared/param-help.js';
import { fileParams, optionsSchema, searchObject } from '../shared/search/params.js';

/**
 * The file module's self-description: MIG's file module (find-like hunts on endpoints by name,
 * content, size, mode, age and hashes), answering with file metadata only.
 */

export const fileRow = z.strictObject({
  search: z.string().describe('Label of the search that matched'),
  path: z.string().describe('Path of the matching file on the endpoint'),
  size: z.number().int().nonnegative().describe('Size in bytes'),
  mode: z.string().describe('Type and permissions as Go prints them, e.g. -rwxr-xr-x'),
  mtime: z.iso.datetime().describe('Last modification time'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional()
    .describe('SHA-256 of the file, with returnsha256'),
  matched: z.array(z.string()).optional().describe('With matchany: the checks that matched, e.g. name:^sshd$'),
});

const repeat = 'repeat for several';
const ioc = 'repeat for a list of IOCs';

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
/**
 * MIG's own flags (mig file -path ... -name ...): one search, labelled s1. Each takes its type,
 * help and default from the parameter it sets (modules/shared/param-help.ts flagFor).
 */
const fileCli = z.strictObject({
  path: flagFor(searchObject, 'paths', repeat),
  name: flagFor(searchObject, 'names', repeat),
  content: flagFor(searchObject, 'contents', repeat),
  size: flagFor(searchObject, 'sizes', repeat),
  mode: flagFor(searchObject, 'modes', repeat),
  mtime: flagFor(searchObject, 'mtimes', repeat),
  md5: flagFor(searchObject, 'md5', ioc),
  sha1: flagFor(searchObject, 'sha1', ioc),
  sha2: flagFor(searchObject, 'sha2', ioc),
  sha3: flagFor(searchObject, 'sha3', ioc),
  mismatch: flagFor(optionsSchema, 'mismatch', repeat),
  maxdepth: flagFor(optionsSchema, 'maxdepth'),
  matchlimit: flagFor(optionsSchema, 'matchlimit'),
  maxerrors: flagFor(optionsSchema, 'maxerrors'),
  matchall: flagFor(optionsSchema, 'matchall'),
  matchany: flagFor(optionsSchema, 'matchany'),
  macroal: flagFor(optionsSchema, 'macroal'),
  decompress: flagFor(optionsSchema, 'decompress'),
  returnsha256: flagFor(optionsSchema, 'returnsha256'),
});

// Alike on purpose (duplicates): each module maps its own MIG flag names to its parameters (file: name, content,
// size; netstat: lm, nm, li); only the toParams shape every spec has repeats.
type FileCli = z.output<typeof fileCli>;

function toParams(values: FileCli): z.input<typeof fileParams> {
  const lists = {
    names: values.name,
    contents: values.content,
    sizes: values.size,
    modes: values.mode,
    mtimes: values.mtime,
    md5: values.md5,
    sha1: values.sha1,
    sha2: values.sha2,
    sha3: values.sha3,
  };
  const options = {
    maxdepth: values.maxdepth,
    // MIG's command line turns matchall on unless -matchany is given.
    // A form sends false for an unticked box, so false counts as "not asked for" too.
    matchall: values.matchall === true || values.matchany !== true ? true : undefined,
    matchany: values.matchany,
    macroal: values.macroal,
    mismatch: values.mismatch,
    matchlimit: values.matchlimit,
    maxerrors: values.maxerrors,
    decompress: values.decompress,
    returnsha256: values.returnsha256,
  };
  const search = { paths: values.path, ...definedOnly(lists), options: definedOnly(options) };
  return { searches: { s1: search } };
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const fileModule = defineModule({
  name: 'file',
  version: '1.0.0',
  summary: 'Find files by name, content, size, mode, age or hash (MIG file module)',
  platforms: ['linux', 'darwin', 'freebsd'],
  params: fileParams,
  result: fileRow,
  columns: [
    // Path first: text output prints the first column before the details, as MIG did.
    { key: 'path', header: 'PATH' },
    { key: 'search', header: 'SEARCH' },
    { key: 'size', header: 'SIZE', align: 'right', isBytes: true },
    { key: 'mode', header: 'MODE' },
    { key: 'mtime', header: 'MODIFIED', isTime: true },
    { key: 'sha256', header: 'SHA256', isWide: true },
  ],
  cli: { schema: fileCli, flags: {}, toParams },
  // Nothing masked. Paths are the answer: masking them would leave nothing to act on.
  privacy: { maxRows: 20_000, maxBytes: 3 * 1024 * 1024 },
  limits: { timeoutMs: 10 * 60_000 },
  examples: [
    {
      command:
        'mig file -path /bin -path /usr/bin -path /sbin -path /usr/sbin -sha2 adbee847c12c73605ff657e668c8096df138f824eb542027a10c0b5c07619c8d',
      explains: 'Which hosts carry this backdoored binary (by SHA-256) in a system binary directory?',
    },
    {
      command:
        'mig file -path /home -path /root -maxdepth 3 -name "^authorized_keys2?$" -content "^(#.*|\\s*|ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKnownAdminKey admin@corp)$" -macroal -mismatch content',
      explains: 'authorized_keys files holding a line that is not a comment, a blank or the one allowed key',
    },
    {
      command: 'mig file -path /tmp -path /var/tmp -path /dev/shm -mtime "<2d" -mode "^-..x" -matchall',
      explains: 'Executables dropped in world-writable directories during the last two days',
    },
    {
      command: 'mig file -path /var/log -name "^access\\.log" -content "(?i)\\(\\) \\{ :; \\};" -decompress',
      explains: 'Web server logs, rotated and gzipped ones included, that recorded a shellshock probe',
    },
    {
      command:
        'mig file -path /usr/sbin -name "^sshd$" -sha2 4c1a8a7e0c36f2d2b43b1f7a5d7f0ea9c6e2b1d5a3f8e9c0b7a6d5e4f3c2b1a0 -mismatch sha2 -returnsha256',
      explains: 'sshd binaries that differ from the known-good build, with their SHA-256 for triage',
    },
  ],
});
