import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import { errorCode, HostRoot } from '../shared/search/resolve.js';
import { EXTRA_PATH_DEPTH } from './spec.js';

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

/** Files examined below one extra path at most: a path such as / must not turn into a full disk read. */
export const EXTRA_PATH_FILES = 20_000;

export interface KeyPlace {
  path: string;
  /** Directory levels below `path` still examined (0: its files only). */
  depth: number;
}

/** The places to examine: each home's .ssh and /etc/ssh (their files only), then the extra paths (descended EXTRA_PATH_DEPTH levels). */
export function keyPlaces(host: HostRoot, extra: readonly string[], events: DiscoverEvents): KeyPlace[] {
  const homes = homeDirectories(host, events).map((home) => posix.join(home, '.ssh'));
  const places = new Map<string, number>();
  for (const path of [...homes, '/etc/ssh']) places.set(path, 0);
  for (const path of extra) places.set(posix.normalize(path), EXTRA_PATH_DEPTH);
  return [...places].map(([path, depth]) => ({ path, depth }));
}

/**
 * The host paths to examine in one place: the place itself when it is a file, else its files,
 * and those of its subdirectories down to `depth` levels. A place that is a symlink is followed
 * (a home's .ssh often is); a directory symlink met while descending is not (lstat: it is not a
 * directory), as in the file module, so a link to / or to an ancestor cannot loop or leave the place.
 */
function* placeFiles(host: HostRoot, place: KeyPlace, events: DiscoverEvents): Generator<string> {
  const top = listDir(host, place.path, events);
  if (top === undefined) {
    yield place.path;
    return;
  }
  const pending: { dir: string; names: string[]; real: string; depth: number }[] = [
    { dir: place.path, ...top, depth: 0 },
  ];
  let files = 0;
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    for (const name of next.names) {
      const path = posix.join(next.dir, name);
      let entry;
      try {
        entry = lstatSync(`${next.real}/${name}`);
      } catch (err) {
        if (!isMissing(err)) events.problem(path, `cannot open (${errorCode(err)})`);
        continue;
      }
      if (entry.isDirectory()) {
        if (next.depth < place.depth) {
          const sub = listDir(host, path, events);
          if (sub !== undefined) pending.push({ dir: path, ...sub, depth: next.depth + 1 });
        }
        continue;
      }
      if (++files > EXTRA_PATH_FILES) {
        events.problem(place.path, `stopped after ${EXTRA_PATH_FILES} files; name a narrower path`);
        return;
      }
      yield path;
    }
  }
}

/** Regular files of every place, each file once even when two places lead to it (a home listed twice, a symlinked .ssh). */
export function* keyFiles(host: HostRoot, places: readonly KeyPlace[], events: DiscoverEvents): Generator<KeyFile> {
  const seen = new Set<string>();
  for (const place of places) {
    for (const path of placeFiles(host, place, events)) {
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
