import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { z } from 'zod';
import { readIfExists } from '../read-if-exists.js';

/** `prev` of the first entry: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

export const AuditEntrySchema = z.strictObject({
  at: z.iso.datetime({ offset: true }),
  /** Investigator fingerprint, or `server` for what the server did on its own. */
  who: z.string(),
  what: z.string(),
  details: z.record(z.string(), z.unknown()),
  /** sha256 (hex) of the previous line's exact text: editing or removing a line breaks the chain. */
  prev: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export type AuditWhat =
  | 'investigator.bootstrapped'
  | 'investigator.created'
  | 'investigator.disabled'
  | 'investigator.enabled'
  | 'action.created'
  | 'action.cancelled'
  | 'action.invalid'
  | 'action.signed'
  | 'action.approved'
  | 'action.signature_refused'
  | 'action.launch_refused'
  | 'policy.pending'
  | 'policy.published'
  | 'policy.refused'
  | 'agent.accepted'
  | 'agent.rejected';

/**
 * Append-only, hash-chained JSON lines. Appends are serialised so the chain never forks. The
 * chain proves order and integrity to whoever holds a trusted copy of a later hash; it does not
 * stop someone with write access from rewriting the whole file.
 */
export class AuditLog {
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private prevHash: string,
    private readonly now: () => Date,
  ) {}

  static async open(path: string, now: () => Date = () => new Date()): Promise<AuditLog> {
    const last = await readLastLine(path);
    return new AuditLog(path, last === undefined ? GENESIS_HASH : sha256(last), now);
  }

  /** Resolves when the entry is in the file. */
  append(who: string, what: AuditWhat, details: Record<string, unknown>): Promise<void> {
    const next = this.tail.then(async () => {
      const entry: AuditEntry = { at: this.now().toISOString(), who, what, details, prev: this.prevHash };
      const line = JSON.stringify(entry);
      const handle = await open(this.path, 'a', 0o600);
      try {
        await handle.write(`${line}\n`);
      } finally {
        await handle.close();
      }
      this.prevHash = sha256(line);
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every append so far has landed. */
  async drain(): Promise<void> {
    await this.tail;
  }
}

/**
 * `head` is the sha256 of the last line: the chain shows that nothing before the last line was
 * changed; to trust the last line too, compare `head` with a copy kept elsewhere. With `pinned`
 * (a head printed earlier and kept elsewhere), `pinnedAt` is the line whose hash it is: a log
 * rewritten from the start, or cut before that line, no longer holds it.
 */
export type ChainCheck =
  | { isIntact: true; entries: number; head: string; pinnedAt?: number }
  | { isIntact: false; line: number; reason: string };

/** One line of the log with its place and hash (the `prev` of the line after it). */
export interface AuditLine {
  line: number;
  entry: AuditEntry;
  hash: string;
}

/** Every entry in order; a line that breaks the chain ends the walk with its reason. */
export async function* walkAuditLog(
  path: string,
): AsyncGenerator<AuditLine, { line: number; reason: string } | undefined> {
  const text = await readIfExists(path);
  if (text === undefined) return undefined;
  if (text !== '' && !text.endsWith('\n')) return { line: text.split('\n').length, reason: 'last line is incomplete' };
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  let prev = GENESIS_HASH;
  for (const [i, line] of lines.entries()) {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return { line: i + 1, reason: 'not JSON' };
    }
    const parsed = AuditEntrySchema.safeParse(raw);
    if (!parsed.success) return { line: i + 1, reason: 'not an audit entry' };
    if (parsed.data.prev !== prev)
      return { line: i + 1, reason: `prev does not match the hash of line ${i} (edited, removed or reordered)` };
    prev = sha256(line);
    yield { line: i + 1, entry: parsed.data, hash: prev };
  }
  return undefined;
}

/** Re-reads the whole log and checks every line's shape and link to the line before it. */
export async function verifyAuditChain(path: string, pinned?: string): Promise<ChainCheck> {
  const walk = walkAuditLog(path);
  let entries = 0;
  let head = GENESIS_HASH;
  let pinnedAt: number | undefined;
  for (;;) {
    const step = await walk.next();
    if (step.done === true) {
      if (step.value !== undefined) return { isIntact: false, ...step.value };
      break;
    }
    entries = step.value.line;
    head = step.value.hash;
    if (head === pinned) pinnedAt = entries;
  }
  return pinnedAt === undefined ? { isIntact: true, entries, head } : { isIntact: true, entries, head, pinnedAt };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The last complete line, reading backwards so a long log costs one or two reads. */
async function readLastLine(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    let chunkBytes = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - chunkBytes);
      const buf = Buffer.alloc(size - start);
      await handle.read(buf, 0, buf.length, start);
      const text = buf.toString('utf8').replace(/\n$/, '');
      const cut = text.lastIndexOf('\n');
      if (cut !== -1 || start === 0) return text === '' ? undefined : text.slice(cut + 1);
      chunkBytes *= 4;
    }
  } finally {
    await handle.close();
  }
}
