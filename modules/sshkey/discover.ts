import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import { errorCode, HostRoot } from '../file/resolve.js';

/**
 * Where SSH keys live on a host: every home directory's `.ssh/` (homes from /etc/passwd, plus
 * /root, /home/*, and macOS's /Users/* and /var/root), /etc/ssh, and extra paths the
 * investigator names. Paths are host paths; reads go through the host root, so a symlink in a
 * fixture tree (or an image) cannot lead outside it.
 */

export interface KeyFile {
  /** Host path, as reported. */
  path: string;
  real: string;
  name: string;
  size: number;
}

export interface DiscoverEvents {
  /** A place that exists but could not be read. */
  problem(path: string, what: string): void;
}

function isMissing(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Names in a host directory; [] when it does not exist. */
function listDir(host: HostRoot, dir: string, events: DiscoverEvents): { names: string[]; real: string } | undefined {
  try {
    const resolved = host.resolvePath(dir);
    if (!resolved.stat.isDirectory()) return undefined;
    return { names: readdirSync(resolved.real).sort(), real: resolved.real };
  } catch (err) {
    if (!isMissing(err)) events.problem(dir, `cannot list (${errorCode(err)})`);
    return undefined;
  }
}

/** Home directories from the host's /etc/passwd and the usual parents, without duplicates. */
export function homeDirectories(host: HostRoot, events: DiscoverEvents): string[] {
  const homes = new Set<string>(['/root', '/var/root']);
  try {
    const passwd = readFileSync(host.resolvePath('/etc/passwd').real, 'utf8');
    for (const line of passwd.split('\n')) {
      const home = line.split(':')[5];
      if (home !== undefined && home.startsWith('/')) homes.add(posix.normalize(home));
    }
  } catch (err) {
    if (!isMissing(err)) events.problem('/etc/passwd', `cannot read (${errorCode(err)})`);
  }
  for (const parent of ['/home', '/Users']) {
    for (const name of listDir(host, parent, events)?.names ?? []) homes.add(`${parent}/${name}`);
  }
  return [...homes];
}

/** The directories to examine: each home's .ssh, /etc/ssh, then the extra paths. */
export function keyPlaces(host: HostRoot, extra: readonly string[], events: DiscoverEvents): string[] {
  const homes = homeDirectories(host, events).map((home) => posix.join(home, '.ssh'));
  return [...new Set([...homes, '/etc/ssh', ...extra.map((p) => posix.normalize(p))])];
}

/**
 * Regular files directly in each place (or the place itself when it is a file), each file
 * once even when two places lead to it (a home listed twice, a symlinked .ssh).
 */
export function* keyFiles(host: HostRoot, places: readonly string[], events: DiscoverEvents): Generator<KeyFile> {
  const seen = new Set<string>();
  for (const place of places) {
    const listing = listDir(host, place, events);
    const paths = listing === undefined ? [place] : listing.names.map((name) => posix.join(place, name));
    for (const path of paths) {
      let resolved;
      try {
        resolved = host.resolvePath(path);
      } catch (err) {
        // A missing place is normal (most homes have no .ssh); a missing listed name is a race.
        if (!isMissing(err)) events.problem(path, `cannot open (${errorCode(err)})`);
        continue;
      }
      if (!resolved.stat.isFile() || seen.has(resolved.canonical)) continue;
      seen.add(resolved.canonical);
      yield { path, real: resolved.real, name: posix.basename(path), size: resolved.stat.size };
    }
  }
}

/** The first bytes of a file, enough to recognise a PEM header. */
export function readHead(real: string, bytes: number): string {
  const fd = openSync(real, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const read = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, read).toString('latin1');
  } finally {
    closeSync(fd);
  }
}
