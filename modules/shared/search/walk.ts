import { lstatSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { posix } from 'node:path';
import type { SearchPlan } from './plan.js';
import { isWithin, splitPath, type HostRoot } from './resolve.js';

/**
 * One walk of the host's filesystem for every search at once (MIG's algorithm): each directory
 * is read once, and a search is active in it when the directory is within one of the search's
 * paths and at most `maxdepth` levels below it. Sync readdir/lstat: ten times faster than one
 * awaited call per entry; the caller paces itself between the files this yields.
 *
 * Symlinks as MIG's pathWalk treats them (mozilla/mig modules/file/file.go): a symlink to a file
 * is followed ("if entry is a symlink, evaluate the target ... if linkmode.IsRegular()"), a
 * symlink to a directory is not ("don't put symlinked directory in subdirectories to follow"),
 * and that holds for the search path itself ("we only follow symlinks to files, not
 * directories": MIG warns "%s is a link to %s and was not followed"). So no file is reached
 * twice through an alias, and a directory is walked only where it really is: symlinks in a
 * search path's parent directories are resolved first, so files are reported at their real
 * path (a search of /bin/x on a host where /bin -> usr/bin reports /usr/bin/x/...).
 */

export interface FileTask {
  /** Host path, as reported (no root prefix). */
  path: string;
  real: string;
  name: string;
  /** Known for followed symlinks (the target's); taken later, only if needed, for plain files. */
  stat: Stats | undefined;
  /**
   * Why a symlink could not be followed: reported as an error only to the searches still
   * interested once its name is judged (a broken link nobody asked about is not an error).
   */
  failure?: unknown;
  searches: readonly SearchPlan[];
}

export interface WalkEvents {
  error: (searches: readonly SearchPlan[], path: string, what: string, err: unknown) => void;
  /** A search path that is a symlink to a directory (or neither file nor directory): the investigator named it. */
  notFollowed(path: string, why: string): void;
  /** A directory symlink met during the walk: skipped, as MIG does, counted but not a warning. */
  linkSkipped(path: string): void;
  /** Debug notes (ctx.log). */
  note(message: string): void;
  dirVisited(): void;
  fileVisited(): void;
}

interface Active {
  search: SearchPlan;
  depth: number;
}

interface Frame {
  path: string;
  /** Components of the directory with its symlinks resolved. */
  canonical: string[];
  real: string;
  actives: Active[];
}

/**
 * Kernel pseudo-filesystems: a hunt over '/' would otherwise read /proc/kcore (as large as the
 * address space) or block on device nodes. Entered only when a search path names them.
 */
const PSEUDO_FILESYSTEMS = new Set(['/proc', '/sys', '/dev']);

function child(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

export class Walk {
  private readonly byBase = new Map<string, SearchPlan[]>();
  private readonly bases: string[];
  private readonly baseParents: Set<string>;
  private readonly reached = new Set<string>();
  /** Physical directory → searches that already read it: bind mounts and overlapping paths read once. */
  private readonly visited = new Map<string, Set<number>>();

  constructor(
    private readonly searches: readonly SearchPlan[],
    private readonly host: HostRoot,
    private readonly events: WalkEvents,
  ) {
    for (const search of searches) {
      for (const base of new Set(search.bases.map((b) => realParent(host, b))))
        this.byBase.set(base, [...(this.byBase.get(base) ?? []), search]);
    }
    this.bases = [...this.byBase.keys()].sort();
    this.baseParents = new Set(this.bases.map((b) => posix.dirname(b)));
  }

  /** The files to judge, one batch per directory (maybe empty: a chance to pace and stop). */
  *files(): Generator<FileTask[]> {
    const tops = this.bases.filter((b) => !this.bases.some((o) => o !== b && isWithin(b, o)));
    for (const top of tops) yield* this.top(top);
    // Bases not reached through their parents' walks: symlinks, missing, or past a search's depth.
    for (const base of this.bases) if (!this.reached.has(base)) yield* this.top(base);
  }

  private isDone(): boolean {
    return this.searches.every((s) => s.isStopped);
  }

  private *top(base: string): Generator<FileTask[]> {
    this.reached.add(base);
    const searches = (this.byBase.get(base) ?? []).filter((s) => !s.isStopped);
    let resolved;
    let isLink = false;
    try {
      const real = this.host.real(base);
      const stat = lstatSync(real);
      isLink = stat.isSymbolicLink();
      resolved = isLink ? this.host.resolvePath(base) : { canonical: base, real, stat };
    } catch (err) {
      this.events.error(searches, base, 'cannot open search path', err);
      return;
    }
    if (resolved.stat.isDirectory() && isLink) {
      this.events.notFollowed(
        base,
        `search path is a symlink to the directory ${resolved.canonical} (search that path instead)`,
      );
    } else if (resolved.stat.isDirectory()) {
      const actives = searches.map((search) => ({ search, depth: 0 }));
      yield* this.tree({ path: base, canonical: splitPath(base), real: resolved.real, actives });
    } else if (resolved.stat.isFile()) {
      // MIG evaluates a search path that links to a file at the link's target ("path = linkpath").
      if (searches.length > 0)
        yield [
          {
            path: resolved.canonical,
            real: resolved.real,
            name: posix.basename(resolved.canonical),
            stat: resolved.stat,
            searches,
          },
        ];
    } else {
      this.events.notFollowed(base, 'search path is neither a regular file nor a directory');
    }
  }

  private *tree(start: Frame): Generator<FileTask[]> {
    const stack = [start];
    for (;;) {
      const frame = stack.pop();
      if (frame === undefined || this.isDone()) return;
      const tasks: FileTask[] = [];
      const children = this.directory(frame, tasks);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Frame);
      yield tasks;
    }
  }

  /** Collects a directory's files to judge into `tasks` and returns the subdirectories to enter. */
  private directory(frame: Frame, tasks: FileTask[]): Frame[] {
    if (this.byBase.has(frame.path)) this.reached.add(frame.path);
    const isOnTheWay = this.hasBaseBelow(frame.path);
    let actives = frame.actives.filter((a) => !a.search.isStopped);
    if (actives.length === 0 && !isOnTheWay) return [];
    let entries: Dirent[];
    try {
      actives = this.firstVisits(statSync(frame.real), actives);
      if (actives.length === 0 && !isOnTheWay) return [];
      entries = readdirSync(frame.real, { withFileTypes: true });
    } catch (err) {
      const searches = actives.map((a) => a.search);
      this.events.error(searches, frame.path, 'cannot read directory', err);
      return [];
    }
    this.events.dirVisited();
    const here = actives.map((a) => a.search);
    const isBaseParent = this.baseParents.has(frame.path);
    const children: Frame[] = [];
    for (const entry of entries) {
      const path = child(frame.path, entry.name);
      const real = child(frame.real, entry.name);
      if (entry.isDirectory()) {
        const sub = this.subdirectory(actives, path, real, [...frame.canonical, entry.name]);
        if (sub !== undefined) children.push(sub);
        continue;
      }
      const searches = isBaseParent ? this.withFileBase(here, path) : here;
      if (searches.length === 0) continue;
      this.events.fileVisited();
      if (entry.isFile()) tasks.push({ path, real, name: entry.name, stat: undefined, searches });
      else if (entry.isSymbolicLink() || isUnknownType(entry)) this.link(frame, entry.name, searches, tasks);
    }
    return children;
  }

  private firstVisits(stat: Stats, actives: Active[]): Active[] {
    const id = `${stat.dev}:${stat.ino}`;
    const seen = this.visited.get(id) ?? new Set<number>();
    this.visited.set(id, seen);
    const fresh = actives.filter((a) => !seen.has(a.search.index));
    for (const a of fresh) seen.add(a.search.index);
    return fresh;
  }

  private subdirectory(actives: Active[], path: string, real: string, canonical: string[]): Frame | undefined {
    const next: Active[] = [];
    for (const a of actives) if (a.depth < a.search.maxdepth) next.push({ search: a.search, depth: a.depth + 1 });
    const based = this.byBase.get(path) ?? [];
    for (const search of based) {
      const existing = next.find((a) => a.search === search);
      if (existing !== undefined) existing.depth = 0;
      else next.push({ search, depth: 0 });
    }
    const isOnTheWay = this.hasBaseBelow(path);
    if (next.length === 0 && !isOnTheWay) return undefined;
    const isPseudo = canonical.length === 1 && PSEUDO_FILESYSTEMS.has(`/${canonical[0] ?? ''}`);
    if (isPseudo && based.length === 0 && !isOnTheWay) {
      this.events.note(`${path}: pseudo-filesystem skipped (name it as a search path to search it)`);
      return undefined;
    }
    return { path, real, canonical, actives: next };
  }

  /** File symlinks are followed and reported at the link's path (MIG's entryAbsPath); directory symlinks are not. */
  private link(frame: Frame, name: string, searches: readonly SearchPlan[], tasks: FileTask[]): void {
    const path = child(frame.path, name);
    let resolved;
    try {
      resolved = this.host.resolve(frame.canonical, [name]);
    } catch (err) {
      tasks.push({ path, real: child(frame.real, name), name, stat: undefined, failure: err, searches });
      return;
    }
    if (resolved.stat.isFile()) {
      tasks.push({ path, real: resolved.real, name, stat: resolved.stat, searches });
      return;
    }
    if (!resolved.stat.isDirectory()) return;
    this.events.linkSkipped(path);
    // A search path that is this link was marked reached with the directory's files: top() says it was not followed.
    if (this.byBase.has(path)) this.reached.delete(path);
  }

  private withFileBase(here: readonly SearchPlan[], path: string): readonly SearchPlan[] {
    const extra = this.byBase.get(path);
    if (extra === undefined) return here;
    this.reached.add(path);
    return [...here, ...extra.filter((s) => !s.isStopped && !here.includes(s))];
  }

  private hasBaseBelow(path: string): boolean {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    let lo = 0;
    let hi = this.bases.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.bases[mid] ?? '') < prefix) lo = mid + 1;
      else hi = mid;
    }
    return this.bases[lo]?.startsWith(prefix) === true;
  }
}

/**
 * `base` with the symlinks of its parent directories resolved, its last component kept (top()
 * judges a symlink there). As typed when the parent cannot be resolved: top() reports why.
 */
function realParent(host: HostRoot, base: string): string {
  if (base === '/') return base;
  try {
    const parent = host.resolvePath(posix.dirname(base)).canonical;
    return child(parent, posix.basename(base));
  } catch {
    return base;
  }
}

/** Some filesystems report DT_UNKNOWN: such an entry is resolved like a link (lstat, then follow). */
function isUnknownType(entry: Dirent): boolean {
  return !entry.isFIFO() && !entry.isSocket() && !entry.isBlockDevice() && !entry.isCharacterDevice();
}
