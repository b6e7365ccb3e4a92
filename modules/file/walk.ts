import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { posix } from 'node:path';
import type { SearchPlan } from './plan.js';
import { isWithin, joinParts, splitPath, type HostRoot } from './resolve.js';

/**
 * One walk of the host's filesystem for every search at once (MIG's algorithm): each directory
 * is read once, and a search is active in it when the directory is within one of the search's
 * paths and at most `maxdepth` levels below it. Sync readdir/lstat: ten times faster than one
 * awaited call per entry; the caller paces itself between the files this yields.
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
  error(searches: readonly SearchPlan[], path: string, what: string, err: unknown): void;
  notFollowed(path: string, why: string): void;
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
  /** Physical directory → searches that already read it: no loops, no aliases read twice. */
  private readonly visited = new Map<string, Set<number>>();
  private readonly deferred: Frame[] = [];
  private readonly canonicalBases = new Map<number, string[]>();

  constructor(
    private readonly searches: readonly SearchPlan[],
    private readonly host: HostRoot,
    private readonly events: WalkEvents,
  ) {
    for (const search of searches) {
      for (const base of search.bases) this.byBase.set(base, [...(this.byBase.get(base) ?? []), search]);
    }
    this.bases = [...this.byBase.keys()].sort();
    this.baseParents = new Set(this.bases.map((b) => posix.dirname(b)));
  }

  /** The files to judge, one batch per directory (maybe empty: a chance to pace and stop). */
  *files(): Generator<FileTask[]> {
    const tops = this.bases.filter((b) => !this.bases.some((o) => o !== b && isWithin(b, o)));
    for (const top of tops) yield* this.top(top);
    // Bases not reached through their parents' walks: behind a directory symlink, or missing.
    for (const base of this.bases) if (!this.reached.has(base)) yield* this.top(base);
  }

  private isDone(): boolean {
    return this.searches.every((s) => s.isStopped);
  }

  private *top(base: string): Generator<FileTask[]> {
    this.reached.add(base);
    const searches = (this.byBase.get(base) ?? []).filter((s) => !s.isStopped);
    let resolved;
    try {
      resolved = this.host.resolvePath(base);
    } catch (err) {
      this.events.error(searches, base, 'cannot open search path', err);
      return;
    }
    if (resolved.stat.isDirectory()) {
      const actives = searches.map((search) => ({ search, depth: 0 }));
      yield* this.tree({ path: base, canonical: splitPath(resolved.canonical), real: resolved.real, actives });
    } else if (resolved.stat.isFile()) {
      if (searches.length > 0) yield [{ path: base, real: resolved.real, name: posix.basename(base), stat: resolved.stat, searches }];
    } else {
      this.events.notFollowed(base, 'search path is neither a regular file nor a directory');
    }
  }

  private *tree(start: Frame): Generator<FileTask[]> {
    const stack = [start];
    for (;;) {
      const frame = stack.pop() ?? this.deferred.shift();
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
        const sub = this.subdirectory(frame, actives, path, real, [...frame.canonical, entry.name]);
        if (sub !== undefined) children.push(sub);
        continue;
      }
      const searches = isBaseParent ? this.withFileBase(here, path) : here;
      if (searches.length === 0) continue;
      this.events.fileVisited();
      if (entry.isFile()) tasks.push({ path, real, name: entry.name, stat: undefined, searches });
      else if (entry.isSymbolicLink() || isUnknownType(entry)) this.link(frame, actives, entry.name, searches, tasks);
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

  private subdirectory(frame: Frame, actives: Active[], path: string, real: string, canonical: string[]): Frame | undefined {
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

  /**
   * File symlinks are followed. A directory symlink is followed (after the plain walk, so real
   * paths win) only for searches whose paths contain its target, and never back to an ancestor.
   */
  private link(frame: Frame, actives: Active[], name: string, searches: readonly SearchPlan[], tasks: FileTask[]): void {
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
    const target = resolved.canonical;
    const sub = this.subdirectory(frame, actives, path, resolved.real, splitPath(target));
    if (sub === undefined || sub.actives.length === 0) return;
    const kept = sub.actives.filter((a) => this.canonicalBasesOf(a.search).some((base) => isWithin(target, base)));
    if (kept.length < sub.actives.length) this.events.notFollowed(path, `directory symlink to ${target} leaves the search path`);
    if (kept.length === 0) return;
    if (isWithin(joinParts(frame.canonical), target)) {
      this.events.notFollowed(path, `directory symlink to ${target} loops back to an ancestor`);
      return;
    }
    this.deferred.push({ ...sub, actives: kept });
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

  private canonicalBasesOf(search: SearchPlan): string[] {
    let bases = this.canonicalBases.get(search.index);
    if (bases === undefined) {
      bases = search.bases.map((base) => {
        try {
          return this.host.resolvePath(base).canonical;
        } catch {
          return base;
        }
      });
      this.canonicalBases.set(search.index, bases);
    }
    return bases;
  }
}

/** Some filesystems report DT_UNKNOWN: such an entry is resolved like a link (lstat, then follow). */
function isUnknownType(entry: Dirent): boolean {
  return !entry.isFIFO() && !entry.isSocket() && !entry.isBlockDevice() && !entry.isCharacterDevice();
}
