import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * For the modules that change accounts (account, password) on root '/' with the real shadow tools,
 * but never on this host's accounts: the child runs in a private mount namespace (unshare) where
 * /etc is a bind-mounted throwaway copy.
 */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Why such a test cannot run here (not Linux, not root, a tool missing), or undefined. */
export function throwawayEtcSkipReason(tools: readonly string[], packages: string): string | undefined {
  return process.platform !== 'linux'
    ? 'mount namespaces are Linux-only'
    : process.getuid?.() !== 0
      ? 'not root (a private mount namespace needs CAP_SYS_ADMIN)'
      : !tools.every(existsSync)
        ? `needs ${tools.join(', ')} (Debian packages ${packages})`
        : undefined;
}

/**
 * Copies /etc, binds the copy over /etc in a new mount namespace and runs the TypeScript file
 * `child` there with `args`; returns the JSON of its last stdout line. The copy is removed after.
 */
export async function runInThrowawayEtc(child: string, args: readonly string[], timeoutMs: number): Promise<unknown> {
  const scratch = mkdtempSync(join(tmpdir(), 'mig-etc-'));
  try {
    const script = 'cp -a /etc "$1/etc" && mount --bind "$1/etc" /etc && shift && exec "$@"';
    const argv = ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', scratch];
    const node = [process.execPath, '--import', 'tsx', child, ...args];
    const { stdout } = await promisify(execFile)('unshare', [...argv, ...node], { cwd: REPO, timeout: timeoutMs });
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
