import { lstatSync, type Stats } from 'node:fs';
import {
  judgeContent,
  judgeHashes,
  judgeName,
  judgeStat,
  judgeUnreadable,
  judgeUnreadableContent,
  modeString,
  Verdict,
} from './checks.js';
import { ContentScanner, MAX_LINE_BYTES } from './content.js';
import { readsContent, type SearchPlan } from './plan.js';
import type { Pacer } from './pacer.js';
import { readFor, type ReadStats, type SearchBytes } from './read.js';
import type { FileTask } from './walk.js';
import { fitsPool, type FileStat, type HashResult } from './hash-pool.js';

/** One result row: metadata only, never content. */
export interface FileRow {
  search: string;
  path: string;
  size: number;
  mode: string;
  mtime: string;
  sha256?: string;
  matched?: string[];
}

export interface Judge {
  nowMs: number;
  stats: ReadStats;
  pacer: Pacer;
  /** A file that could not be examined, charged to the searches that wanted it. */
  error: (searches: readonly SearchPlan[], path: string, what: string, err: unknown) => void;
}

/** A file after its metadata checks: the searches still in, and those that need its bytes. */
export interface Judged {
  task: FileTask;
  /**
   * Undefined when no search needs it before the bytes: the reader thread that reads the file
   * takes it (judgeDigests fills it in), sparing the walking thread an lstat per file.
   */
  stat: FileStat | undefined;
  live: Verdict[];
  readers: Verdict[];
  sha256s: Map<Verdict, string>;
}

/**
 * Judges one file's metadata for every search active where it lies, cheapest first: the name
 * (no syscall), then the stat (size, mode, mtime). matchall drops a search at its first failed
 * check. Sync on purpose: most files of a hunt end here, and an await per file costs more than
 * the checks. Undefined when no search is left. `isStatDeferred`: a file that only wants digests
 * from searches with no size, mode or mtime check is left unstat'ed (see Judged.stat).
 */
export function judgeMetadata(task: FileTask, judge: Judge, isStatDeferred = false): Judged | undefined {
  const named: Verdict[] = [];
  for (const search of task.searches) {
    if (search.isStopped) continue;
    const v = new Verdict(search);
    judgeName(v, task.name);
    if (!v.isRejected) named.push(v);
  }
  if (named.length === 0) return undefined;
  if (isStatDeferred && task.stat === undefined && task.failure === undefined && named.every(isJudgedWithoutStat)) {
    const readers = named.filter((v) => needsBytes(v));
    const deferred = { task, stat: undefined, live: named, readers, sha256s: new Map() };
    if (isPoolable(deferred)) return deferred;
  }
  const stat = statOf(task, named, judge);
  if (stat === undefined) return undefined;
  for (const v of named) judgeStat(v, stat, judge.nowMs);
  const live = named.filter((v) => !v.isRejected);
  if (live.length === 0) return undefined;
  const readers = live.filter((v) => needsBytes(v));
  return { task, stat, live, readers, sha256s: new Map() };
}

function needsBytes(v: Verdict): boolean {
  return readsContent(v.search) || (v.search.isReturnSha256 && v.isMatch);
}

/** No check of the search needs the stat: its verdict before the bytes is its verdict after the name. */
function isJudgedWithoutStat(v: Verdict): boolean {
  const { sizes, modes, mtimes } = v.search;
  return sizes.length === 0 && modes.length === 0 && mtimes.length === 0;
}

export function rowsOf(judged: Judged): FileRow[] {
  const { stat } = judged;
  if (stat === undefined) return [];
  return judged.live.filter((v) => v.isMatch).map((v) => row(v, judged.task.path, stat, judged.sha256s.get(v)));
}

function statOf(task: FileTask, verdicts: readonly Verdict[], judge: Judge): Stats | undefined {
  const searches = verdicts.map((v) => v.search);
  if (task.failure !== undefined) {
    judge.error(searches, task.path, 'broken symlink', task.failure);
    return undefined;
  }
  try {
    const stat = task.stat ?? lstatSync(task.real);
    // Replaced by something else since the directory was read: nothing to judge.
    return stat.isFile() ? stat : undefined;
  } catch (err) {
    judge.error(searches, task.path, 'cannot stat', err);
    return undefined;
  }
}

/**
 * One read of the file for `judged.readers` (none: only its deferred stat): content and hash
 * checks. False when aborted.
 */
export async function judgeBytes(judged: Judged, judge: Judge): Promise<boolean> {
  const { task, readers } = judged;
  // A deferred stat (the reader threads failed): taken here, as judgeMetadata would have.
  if (judged.stat === undefined && (judged.stat = statOf(task, judged.live, judge)) === undefined) return true;
  if (readers.length === 0) return true;
  const targets: SearchBytes[] = readers.map((v) => ({
    search: v.search,
    scanner:
      v.search.contents.length > 0
        ? new ContentScanner(v.search.contents, v.search.isMacroal, v.search.mode === 'all')
        : undefined,
    digests: new Map(),
  }));
  try {
    if (!(await readFor(task.real, targets, judge.stats, judge.pacer, judged.stat?.size))) return false;
  } catch (err) {
    const searches = readers.map((v) => v.search);
    judge.error(searches, task.path, 'cannot read', err);
    for (const v of readers) judgeUnreadable(v);
    return true;
  }
  judgeRead(judged, judge, targets);
  return true;
}

/**
 * Digests of a file read on a reader thread (hash-pool.ts): judged as judgeBytes judges its own
 * read. Only for readers without content checks or decompression (isPoolable). 'judged': its
 * verdicts are final; 'gone': nothing to judge (no longer a regular file, or its stat failed:
 * reported); 'read': larger than one read, judgeBytes must read it.
 */
export function judgeDigests(judged: Judged, judge: Judge, result: HashResult): 'judged' | 'gone' | 'read' {
  const { task, readers } = judged;
  if (result.kind === 'notFile') return 'gone';
  if (result.kind === 'failed') {
    // As an inline read: the lstat's failure is 'cannot stat' (a path that turned into a
    // symlink or a socket is no file to judge), the open's is 'cannot read'.
    if (judged.stat === undefined && (judged.stat = statOf(task, judged.live, judge)) === undefined) return 'gone';
    judge.error(
      readers.map((v) => v.search),
      task.path,
      'cannot read',
      result.error,
    );
    for (const v of readers) judgeUnreadable(v);
    return 'judged';
  }
  judged.stat ??= result.stat;
  if (result.kind === 'large') return 'read';
  judge.stats.bytesRead += result.bytes;
  judge.stats.bytesHashed += result.bytes;
  judgeRead(
    judged,
    judge,
    readers.map((v) => ({
      search: v.search,
      scanner: undefined,
      digests: new Map([...v.search.algorithms].map((a) => [a, result.digests.get(a) ?? ''])),
    })),
  );
  return 'judged';
}

/** A file that only wants digests, small enough for one read: hash-pool.ts can read it. */
export function isPoolable(judged: Judged): boolean {
  return (
    judged.readers.length > 0 &&
    (judged.stat === undefined || fitsPool(judged.stat.size)) &&
    judged.readers.every((v) => v.search.contents.length === 0 && !v.search.isDecompress)
  );
}

/** A line longer than the scanner holds: this search's content verdict is unknown, and said so. */
export function judgeOverflowedLine(judge: Judge, v: Judged['readers'][number], path: string): void {
  judge.error(
    [v.search],
    path,
    'content not matched',
    new Error(`a line is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB`),
  );
  judgeUnreadableContent(v);
}

function judgeRead(judged: Judged, judge: Judge, targets: readonly SearchBytes[]): void {
  const { task, readers } = judged;
  readers.forEach((v, i) => {
    const target = targets[i] as SearchBytes;
    if (target.scanner?.isOverflowed === true) judgeOverflowedLine(judge, v, task.path);
    else if (target.scanner !== undefined) judgeContent(v, target.scanner.results());
    judgeHashes(v, target.digests);
    const sha256 = target.digests.get('sha256');
    if (sha256 !== undefined) judged.sha256s.set(v, sha256);
  });
}

function row(v: Verdict, path: string, stat: FileStat, sha256: string | undefined): FileRow {
  const out: FileRow = {
    search: v.search.label,
    path,
    size: stat.size,
    mode: modeString(stat.mode),
    mtime: new Date(stat.mtimeMs).toISOString(),
  };
  if (v.search.isReturnSha256 && sha256 !== undefined) out.sha256 = sha256;
  if (v.search.mode === 'any') out.matched = [...v.passed];
  return out;
}
