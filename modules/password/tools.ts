import { execFile } from 'node:child_process';
import { ModuleError } from '../../protocol/errors.js';

/**
 * The shadow tools (Debian package passwd) that change a password: chpasswd -e takes the hash on
 * its stdin, so it is never on a command line other local users can read in /proc; chage
 * --lastday 0 forces a change at next login. Neither goes through PAM for root.
 */
function run(
  tool: string,
  args: readonly string[],
  stdin: string,
  secret: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  // Whatever a tool says is reported: the hash must not be in it, even if a tool ever echoed input.
  const scrub = (text: string): string => (secret === undefined ? text : text.split(secret).join('<hash>'));
  return new Promise((resolve, reject) => {
    const child = execFile(
      tool,
      args,
      { signal, timeout: 30_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } },
      (err, _stdout, stderr) => {
        if (err === null) return resolve();
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT')
          return reject(
            new ModuleError('MODULE_FAILED', `${tool} not found: install the shadow utilities (Debian package passwd)`),
          );
        reject(new ModuleError('MODULE_FAILED', `${tool} failed: ${scrub(stderr.trim() || err.message)}`));
      },
    );
    child.stdin?.end(stdin);
  });
}

/** Sets `user`'s password field to `hash` as given (chpasswd also dates the change today). */
export function setHash(user: string, hash: string, signal: AbortSignal): Promise<void> {
  return run('chpasswd', ['--encrypted'], `${user}:${hash}\n`, hash, signal);
}

/** Forces a password change at the next login (last change on day 0). */
export function forceChange(user: string, signal: AbortSignal): Promise<void> {
  return run('chage', ['--lastday', '0', '--', user], '', undefined, signal);
}
