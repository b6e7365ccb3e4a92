import type { Stats } from 'node:fs';
import type { HashAlgorithm } from './param-values.js';
import type { FilterName } from './params.js';
import type { SearchPlan } from './plan.js';

/**
 * How one search judges one file. Each filter value is one check (several sizes bound a
 * window; `^root` and `!^root:\$6` both hold), except a hash list, which is one check: a file
 * has one digest per algorithm, so the list is a set of IOCs it may be any of. A check passes
 * when its raw result differs from `mismatch`. matchall: every check passes; matchany: one does.
 */
export class Verdict {
  /** Labels of the checks that passed, for `matched` in matchany mode. */
  readonly passed: string[] = [];
  hasFailed = false;

  constructor(readonly search: SearchPlan) {}

  record(filter: FilterName, label: string, isRawMatch: boolean): void {
    if (isRawMatch !== this.search.mismatch.has(filter)) this.passed.push(label);
    else this.hasFailed = true;
  }

  /** matchall stops judging a file at its first failed check. */
  get isRejected(): boolean {
    return this.search.mode === 'all' && this.hasFailed;
  }

  get isMatch(): boolean {
    return this.search.mode === 'all' ? !this.hasFailed : this.passed.length > 0;
  }
}

export function judgeName(v: Verdict, name: string): void {
  for (const check of v.search.names) {
    v.record('name', check.label, check.re.test(name) !== check.isNegated);
    if (v.isRejected) return;
  }
}

/** Size, mode and mtime: the checks that need the file's stat. */
export function judgeStat(v: Verdict, stat: Stats, nowMs: number): void {
  for (const check of v.search.sizes) {
    v.record('size', check.label, stat.size >= check.bound.min && stat.size <= check.bound.max);
  }
  if (v.search.modes.length > 0) {
    const mode = modeString(stat.mode);
    for (const check of v.search.modes) v.record('mode', check.label, check.re.test(mode));
  }
  for (const check of v.search.mtimes) {
    const threshold = nowMs - check.bound.ageMs;
    v.record('mtime', check.label, check.bound.isNewer ? stat.mtimeMs > threshold : stat.mtimeMs < threshold);
  }
}

/** `raw[i]`: content regex i found a line (or, negated, found none); with macroal, all lines held. */
export function judgeContent(v: Verdict, raw: readonly boolean[]): void {
  v.search.contents.forEach((check, i) => v.record('content', check.label, raw[i] === true));
}

export function judgeHashes(v: Verdict, digests: ReadonlyMap<HashAlgorithm, string>): void {
  for (const check of v.search.hashes) {
    let hit: string | undefined;
    for (const [algorithm, wanted] of check.wanted) {
      const digest = digests.get(algorithm);
      if (digest !== undefined && wanted.has(digest)) hit = digest;
    }
    v.record(check.filter, `${check.filter}:${hit ?? 'none listed'}`, hit !== undefined);
  }
}

/** Content checks fail when the lines could not be matched (the file unreadable, a line too long). */
export function judgeUnreadableContent(v: Verdict): void {
  v.search.contents.forEach((check) => v.record('content', check.label, false));
}

/** Content and hash checks both fail when the file cannot be read. */
export function judgeUnreadable(v: Verdict): void {
  judgeUnreadableContent(v);
  for (const check of v.search.hashes) v.record(check.filter, `${check.filter}:unreadable`, false);
}

const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;

/** The mode as Go's FileMode.String() prints it, which MIG's mode regexes were written against. */
export function modeString(mode: number): string {
  const type = mode & S_IFMT;
  // Go's letters, in its order "dalTLDpSugct?" (a, l, T and ? have no POSIX counterpart).
  const letters: readonly [boolean, string][] = [
    [type === 0o040000, 'd'],
    [type === 0o120000, 'L'],
    [type === 0o060000 || type === S_IFCHR, 'D'],
    [type === 0o010000, 'p'],
    [type === 0o140000, 'S'],
    [(mode & 0o4000) !== 0, 'u'],
    [(mode & 0o2000) !== 0, 'g'],
    [type === S_IFCHR, 'c'],
    [(mode & 0o1000) !== 0, 't'],
  ];
  const prefix = letters
    .filter(([isSet]) => isSet)
    .map(([, letter]) => letter)
    .join('');
  const rwx = 'rwxrwxrwx';
  let perms = '';
  for (let bit = 8; bit >= 0; bit--) perms += (mode & (1 << bit)) !== 0 ? rwx[8 - bit] : '-';
  return `${prefix === '' ? '-' : prefix}${perms}`;
}
