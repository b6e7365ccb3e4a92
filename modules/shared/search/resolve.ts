import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Paths inside the investigated host: `ctx.root` is that host's '/', so an absolute symlink
 * target or a `..` is resolved inside the root, as the kernel would with root as '/' (a fake
 * host tree in tests and demos must not lead the walk out to the real machine).
 */

/** Linux's limit on symlinks followed while resolving one path. */
const MAX_HOPS = 40;

export interface Resolved {
  /** The path with every symlink resolved, inside the host (no root prefix). */
  canonical: string;
  real: string;
  /** lstat of the final, non-symlink file. */
  stat: Stats;
}

/** Maps host paths to the machine's paths: root '/' is the identity. */
export class HostRoot {
  private readonly prefix: string;

  constructor(root: string) {
    const absolute = resolve(root);
    this.prefix = absolute === '/' ? '' : absolute;
  }

  real(hostPath: string): string {
    return this.prefix === '' ? hostPath : hostPath === '/' ? `${this.prefix}/` : `${this.prefix}${hostPath}`;
  }

  /**
   * Resolves `rest` (components) below `parts` (components of a directory already free of
   * symlinks). Throws the lstat/readlink error, or ELOOP after too many links.
   */
  resolve(parts: readonly string[], rest: readonly string[]): Resolved {
    const done = [...parts];
    const todo = [...rest].reverse();
    let hops = 0;
    let stat: Stats | undefined;
    while (todo.length > 0) {
      const part = todo.pop() ?? '';
      if (part === '' || part === '.') continue;
      if (part === '..') {
        done.pop();
        stat = undefined;
        continue;
      }
      done.push(part);
      const real = this.real(joinParts(done));
      const st = lstatSync(real);
      if (!st.isSymbolicLink()) {
        stat = st;
        continue;
      }
      if (++hops > MAX_HOPS) throw errnoError('ELOOP', 'too many levels of symbolic links');
      const target = readlinkSync(real);
      done.pop();
      if (target.startsWith('/')) done.length = 0;
      const targetParts = target.split('/');
      for (let i = targetParts.length - 1; i >= 0; i--) todo.push(targetParts[i] ?? '');
      stat = undefined;
    }
    const canonical = joinParts(done);
    return { canonical, real: this.real(canonical), stat: stat ?? lstatSync(this.real(canonical)) };
  }

  resolvePath(hostPath: string): Resolved {
    return this.resolve([], hostPath.split('/'));
  }
}

export function joinParts(parts: readonly string[]): string {
  return `/${parts.join('/')}`;
}

export function splitPath(hostPath: string): string[] {
  return hostPath.split('/').filter((p) => p !== '');
}

/** `child` is `base` or below it. */
export function isWithin(child: string, base: string): boolean {
  return child === base || base === '/' || child.startsWith(`${base}/`);
}

export function errnoError(code: string, message: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: ${message}`);
  err.code = code;
  return err;
}

/** The errno code of a failed fs call, for messages that must not echo real (root-prefixed) paths. */
export function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message.slice(0, 120) : 'unknown error';
}
