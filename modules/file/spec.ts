import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { FILTER_NAMES, fileParams } from '../shared/search/params.js';

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

const repeatable = (what: string) => z.array(z.string()).optional().describe(what);
const count = (what: string) => z.number().int().optional().describe(what);
const flag = (what: string) => z.boolean().optional().describe(what);

/** MIG's own flags (mig file -path ... -name ...): one search, labelled s1. */
const fileCli = z.strictObject({
  path: z
    .array(z.string())
    .describe(
      'Absolute path to search (file or directory, no globbing; directory symlinks are not followed, this path included); repeat for several',
    ),
  name: repeatable('RE2 regex on the base name; ! in front negates; repeat for several'),
  content: repeatable(
    'RE2 regex on each line (a line ends at a newline and keeps a carriage return before it; lines up to 64 MiB are matched whole; bytes as stored, invalid UTF-8 never U+FFFD); ! in front negates; repeat for several',
  ),
  size: repeatable('Size bound like <10m, >1k, =0 (k, m, g, t are powers of 1024)'),
  mode: repeatable('RE2 regex on the mode string, e.g. ^-rwxr-xr-x$ or ^u for setuid'),
  mtime: repeatable('Modification age: <90d (within 90 days), >5h (older than 5 hours), <30m'),
  md5: repeatable('MD5 digest; repeat for a list of IOCs'),
  sha1: repeatable('SHA-1 digest; repeat for a list of IOCs'),
  sha2: repeatable('SHA-256/384/512 digest (by length); repeat for a list of IOCs'),
  sha3: repeatable('SHA3-224/256/384/512 digest (by length); repeat for a list of IOCs'),
  mismatch: z
    .array(z.enum(FILTER_NAMES))
    .optional()
    .describe('Invert a filter: report files that do NOT match it; repeatable'),
  maxdepth: count('Directory levels to descend below each path (default 1000; 0: only the path itself)'),
  matchlimit: count('Stop after this many matching files (default 1000)'),
  maxerrors: count('Stop after this many unreadable files or directories (default 30)'),
  matchall: flag('Every filter must match (the default unless -matchany)'),
  matchany: flag('Any filter may match; rows list which did'),
  macroal: flag('Every line must match every content regex (an empty file: regexes fail, negated ones pass)'),
  decompress: flag(
    'Read gzip files decompressed for content, hashes and -returnsha256 (name, size, mode, mtime: the stored file)',
  ),
  returnsha256: flag('Add the SHA-256 of each matching file'),
});

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

function definedOnly<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

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
  privacy: {
    leaves: ['search', 'path', 'size', 'mode', 'mtime', 'sha256', 'matched'],
    // Paths are the answer: masking them would leave nothing to act on.
    sensitive: [],
    maxRows: 20_000,
    maxBytes: 3 * 1024 * 1024,
  },
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
