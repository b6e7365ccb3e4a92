import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BaseError, UserError } from '../../protocol/errors.js';
import { parseArgsError, zodFlagProblems } from '../../protocol/flag-problem.js';
import { verifyAuditChain, walkAuditLog, type AuditLine } from './audit-log.js';

const USAGE = `usage: mig audit verify [--data-dir DIR] [--pinned HASH] [--json]
       mig audit show   [--data-dir DIR] [--who W] [--what PREFIX] [--since T] [--until T] [--limit N] [--json]

Reads the server's hash-chained audit log (DIR/audit.log) directly; run it where the server's
data dir is (the server may be running).

  verify            walk the chain; print the entry count and the last hash to keep elsewhere
                    (exit 0), or the first bad line and why (exit 1)
  show              list entries, oldest first, filtered; a broken chain still lists the entries
                    before the bad line, then exits 1 naming it
  --data-dir DIR    the server's data dir (default $MIG_HOME/server, MIG_HOME=~/.mig)
  --pinned HASH     a head printed by an earlier verify: also check the log still holds it (a log
                    rewritten from the start, or cut before that line, fails)
  --who W           entries by W: an investigator's fingerprint, a prefix of it, or "server"
  --what PREFIX     entries whose kind starts with PREFIX (action., agent.accepted, policy. ...)
  --since T         entries at or after T; --until T: before T (ISO 8601 time or date)
  --limit N         the last N matching entries only
  --json            one JSON object per line (show) or one object (verify)`;

const Time = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .transform((t) => new Date(t));
const FlagsSchema = z.strictObject({
  'data-dir': z.string().min(1, 'expected a directory').optional(),
  pinned: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected a sha256 hash: 64 lowercase hex digits')
    .optional(),
  who: z.string().min(1).max(256).optional(),
  what: z.string().min(1).max(64).optional(),
  since: Time.optional(),
  until: Time.optional(),
  limit: z.coerce.number().int().min(1).max(10_000_000).optional(),
  json: z.boolean().default(false),
});
type Flags = z.output<typeof FlagsSchema>;

// Alike on purpose (duplicates): the option table of node:util parseArgs, one option a line;
// options share their shape, not logic.
const OPTIONS = {
  'data-dir': { type: 'string' },
  pinned: { type: 'string' },
  who: { type: 'string' },
  what: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** Which flags each subcommand takes: a flag of the other one is an error, not ignored. */
const ONLY: Record<'verify' | 'show', readonly (keyof Flags)[]> = {
  verify: ['data-dir', 'pinned', 'json'],
  show: ['data-dir', 'who', 'what', 'since', 'until', 'limit', 'json'],
};

export interface AuditCliIo {
  stdout: Pick<NodeJS.WriteStream, 'write'>;
  stderr: Pick<NodeJS.WriteStream, 'write'>;
  env: NodeJS.ProcessEnv;
}

/** `mig audit verify|show`: 0 intact, 1 broken chain (or pinned head missing), 2 usage. */
export async function runAuditCli(argv: readonly string[], io: AuditCliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'verify' && sub !== 'show') {
    io.stderr.write(`error BAD_REQUEST: mig audit: unknown subcommand "${sub}"; expected verify or show\n\n${USAGE}\n`);
    return 2;
  }
  let flags: Flags;
  try {
    const { values } = parseArgs({ args: [...rest], options: OPTIONS, strict: true, allowPositionals: false });
    if (values.help === true) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const { help: _help, ...given } = values;
    const stray = Object.keys(given).filter((k) => !(ONLY[sub] as readonly string[]).includes(k));
    if (stray.length > 0)
      throw new UserError(
        'BAD_REQUEST',
        `mig audit ${sub}: --${stray[0]} belongs to the other subcommand`,
        'see mig audit --help',
      );
    const parsed = FlagsSchema.safeParse(given);
    if (!parsed.success)
      throw new UserError(
        'BAD_REQUEST',
        `mig audit ${sub}: ${zodFlagProblems(parsed.error, given).join('; ')}`,
        'see mig audit --help',
      );
    flags = parsed.data;
  } catch (err) {
    const error = err instanceof BaseError ? err : parseArgsError(err, `mig audit ${sub}`);
    io.stderr.write(`error ${error.code}: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const path = join(
    resolve(flags['data-dir'] ?? join(io.env.MIG_HOME ?? join(homedir(), '.mig'), 'server')),
    'audit.log',
  );
  try {
    return sub === 'verify' ? await verify(path, flags, io) : await show(path, flags, io);
  } catch (err) {
    io.stderr.write(`error: cannot read ${path}: ${(err as Error).message}\n`);
    return 1;
  }
}

async function verify(path: string, flags: Flags, io: AuditCliIo): Promise<number> {
  const check = await verifyAuditChain(path, flags.pinned);
  const pinnedMissing = check.isIntact && flags.pinned !== undefined && check.pinnedAt === undefined;
  if (flags.json)
    io.stdout.write(`${JSON.stringify({ path, ...check, ...(pinnedMissing ? { pinnedMissing: true } : {}) })}\n`);
  if (!check.isIntact) {
    if (!flags.json) io.stderr.write(`${path}: chain broken at line ${check.line}: ${check.reason}\n`);
    return 1;
  }
  if (pinnedMissing) {
    if (!flags.json)
      io.stderr.write(
        `${path}: the chain is intact but does not hold the pinned hash ${flags.pinned}: the log was rewritten or cut\n`,
      );
    return 1;
  }
  if (!flags.json) {
    io.stdout.write(`${path}: intact, ${check.entries} entries\n`);
    if (check.pinnedAt !== undefined) io.stdout.write(`pinned hash found at line ${check.pinnedAt}\n`);
    io.stdout.write(
      `head ${check.head}\n(keep this hash elsewhere; mig audit verify --pinned HASH later proves nothing before it changed)\n`,
    );
  }
  return 0;
}

async function show(path: string, flags: Flags, io: AuditCliIo): Promise<number> {
  const matches = (l: AuditLine): boolean => {
    const { who, what, at } = l.entry;
    if (flags.who !== undefined && !(who === flags.who || who.toLowerCase().startsWith(flags.who.toLowerCase())))
      return false;
    if (flags.what !== undefined && !what.startsWith(flags.what)) return false;
    const t = Date.parse(at);
    return (
      (flags.since === undefined || t >= flags.since.getTime()) &&
      (flags.until === undefined || t < flags.until.getTime())
    );
  };
  const kept: AuditLine[] = [];
  const walk = walkAuditLog(path);
  let broken: { line: number; reason: string } | undefined;
  for (;;) {
    const step = await walk.next();
    if (step.done === true) {
      broken = step.value;
      break;
    }
    if (!matches(step.value)) continue;
    kept.push(step.value);
    // --limit keeps the newest N: drop from the front as we go, so memory stays at N.
    if (flags.limit !== undefined && kept.length > flags.limit) kept.shift();
  }
  for (const l of kept) io.stdout.write(`${flags.json ? JSON.stringify({ line: l.line, ...l.entry }) : textLine(l)}\n`);
  if (!flags.json && kept.length === 0) io.stdout.write('no matching entries\n');
  if (broken !== undefined) {
    io.stderr.write(
      `${path}: chain broken at line ${broken.line}: ${broken.reason}; entries from there on are not shown\n`,
    );
    return 1;
  }
  return 0;
}

function textLine({ line, entry }: AuditLine): string {
  const details = Object.entries(entry.details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(line).padStart(5)}  ${entry.at}  ${entry.who.length > 16 ? `${entry.who.slice(0, 16)}…` : entry.who}  ${entry.what}${details === '' ? '' : `  ${details}`}`;
}
