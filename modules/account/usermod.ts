import { execFile } from 'node:child_process';
import { ModuleError } from '../../protocol/errors.js';

/** usermod -e 1: expired on 1970-01-02. Not 0, which shadow(5) says may read as "never expires". */
export const LOCKED_EXPIRE_DAYS = 1;

/** The usermod arguments for one change; under a root other than '/', usermod edits that tree's files (--prefix). */
export function usermodArgs(op: 'lock' | 'unlock', user: string, root: string): string[] {
  const prefix = root === '/' ? [] : ['--prefix', root];
  // `--` although names are validated: a name is never read as an option.
  return op === 'lock'
    ? [...prefix, '--lock', '--expiredate', String(LOCKED_EXPIRE_DAYS), '--', user]
    : [...prefix, '--unlock', '--expiredate', '', '--', user];
}

/**
 * Runs usermod (Debian package `passwd`, shadow-utils elsewhere). Resolves with what it printed on
 * stderr (it warns but exits 0 when it refuses to unlock a passwordless account); rejects when it fails.
 */
export function usermod(args: readonly string[], signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'usermod',
      args,
      { signal, timeout: 30_000, env: { ...process.env, LC_ALL: 'C' } },
      (err, _stdout, stderr) => {
        const said = stderr.trim();
        if (err === null) return resolve(said);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(
            new ModuleError(
              'MODULE_FAILED',
              'usermod not found: install the shadow utilities (Debian package passwd)',
              { cause: err },
            ),
          );
        }
        reject(
          new ModuleError('MODULE_FAILED', `usermod ${args.join(' ')} failed: ${said || err.message}`, { cause: err }),
        );
      },
    );
  });
}
