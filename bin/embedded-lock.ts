import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** In $MIG_HOME/server: which process serves that data dir, and where. */
export const EMBEDDED_LOCK_FILE = 'embedded.lock';

const LockSchema = z.object({ pid: z.number().int().positive(), url: z.string().optional() });

export type EmbeddedClaim =
  /** This process may start the embedded server; `publish` records its URL, `release` frees the dir. */
  | { kind: 'owner'; publish: (url: string) => void; release: () => void }
  /** Another live process serves the data dir (url undefined while it is still starting). */
  | { kind: 'running'; pid: number; url: string | undefined };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): z.infer<typeof LockSchema> | undefined {
  try {
    const parsed = LockSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One embedded server per data dir. Two `npm start`s used to run two servers on one
 * $MIG_HOME/server (the second on fallback ports), each with its own view of the store and each
 * rewriting the shared files on exit: actions launched in one were missing from the other, and
 * what survived a restart depended on which quit last. Now the second start finds the first
 * (pid and URL in the lock) and opens its console there. A lock left by a dead process is taken over.
 */
export function claimEmbedded(serverDir: string, pid: number = process.pid): EmbeddedClaim {
  mkdirSync(serverDir, { recursive: true, mode: 0o700 });
  const path = join(serverDir, EMBEDDED_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify({ pid }), { flag: 'wx', mode: 0o600 });
      return {
        kind: 'owner',
        publish: (url) => writeFileSync(path, JSON.stringify({ pid, url }), { mode: 0o600 }),
        release: () => {
          if (readLock(path)?.pid === pid) rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = readLock(path);
    if (held !== undefined && held.pid !== pid && isAlive(held.pid))
      return { kind: 'running', pid: held.pid, url: held.url };
    rmSync(path, { force: true }); // stale (its process is gone) or unreadable: take it over
  }
  throw new Error(`cannot claim ${path}: another process keeps recreating it`);
}
