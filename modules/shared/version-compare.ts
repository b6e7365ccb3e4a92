/**
 * Version ordering as each package manager defines it, so "older than the fixed version" means
 * what the distribution means. Pure functions, no I/O: safe in specs and on the console.
 *
 * - dpkg: Debian policy 5.6.12 (dpkg's verrevcmp): `[epoch:]upstream[-revision]`, letters sort
 *   before non-letters, `~` before everything, even the end of the string.
 * - rpm: rpmvercmp (rpm 4.x) on version and release, epoch compared as a number first; `~` sorts
 *   before everything, `^` after the end of the string but before anything else.
 * - apk: apk-tools' grammar `digits{.digits}[letter]{_suffix[n]}[~hash][-rN]`, compared by
 *   numeric parts, then letter, then suffixes (`_alpha < _beta < _pre < _rc < none < _cvs <
 *   _svn < _git < _hg < _p`), then revision. An approximation of apk_version_compare: the one
 *   known difference is that apk compares a later part with a leading zero as a fraction
 *   (1.01 < 1.1), we compare it as a number. A string outside the grammar falls back to rpmvercmp.
 */
export type VersionScheme = 'dpkg' | 'rpm' | 'apk';

/** Negative, zero or positive as `a` sorts before, with or after `b`. */
export type Ordering = number;

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const sign = (n: number): Ordering => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** dpkg's order(): the weight of one character in a non-digit run ('' is the end of the string). */
function dpkgOrder(c: string): number {
  if (c === '' || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp on one part (upstream version or revision). */
export function dpkgPartCompare(a: string, b: string): Ordering {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charAt(i))) || (j < b.length && !isDigit(b.charAt(j)))) {
      const diff = dpkgOrder(a.charAt(i)) - dpkgOrder(b.charAt(j));
      if (diff !== 0) return sign(diff);
      i++;
      j++;
    }
    while (a.charAt(i) === '0') i++;
    while (b.charAt(j) === '0') j++;
    let firstDiff = 0;
    while (isDigit(a.charAt(i)) && isDigit(b.charAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charAt(i))) return 1;
    if (isDigit(b.charAt(j))) return -1;
    if (firstDiff !== 0) return sign(firstDiff);
  }
  return 0;
}

/** rpmvercmp: segments of digits or letters, separators ignored, `~` and `^` special. */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const isSep = (c: string): boolean => c !== '' && !isDigit(c) && !isAlpha(c) && c !== '~' && c !== '^';
  while (i < a.length || j < b.length) {
    while (isSep(a.charAt(i))) i++;
    while (isSep(b.charAt(j))) j++;
    const x = a.charAt(i);
    const y = b.charAt(j);
    if (x === '~' || y === '~') {
      if (x !== '~') return 1;
      if (y !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (x === '^' || y === '^') {
      if (x === '') return -1;
      if (y === '') return 1;
      if (x !== '^') return 1;
      if (y !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (x === '' || y === '') break;
    const isNum = isDigit(x);
    const inSegment = isNum ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && inSegment(a.charAt(ei))) ei++;
    while (ej < b.length && inSegment(b.charAt(ej))) ej++;
    // A numeric segment is newer than an alphabetic one.
    if (ej === j) return isNum ? 1 : -1;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (isNum) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** A version split the way dpkg and rpm write it: `[epoch:]version[-release]`. */
export interface Evr {
  epoch: number;
  version: string;
  /** Undefined when the string has no `-`. */
  release: string | undefined;
}

export function parseEvr(text: string): Evr {
  const colon = /^(\d+):/.exec(text);
  const rest = colon === null ? text : text.slice(colon[0].length);
  const dash = rest.lastIndexOf('-');
  return {
    epoch: colon === null ? 0 : Number(colon[1]),
    version: dash < 0 ? rest : rest.slice(0, dash),
    release: dash < 0 ? undefined : rest.slice(dash + 1),
  };
}

export interface CompareOptions {
  /**
   * `b` without a release (`-revision`, `-rN`) matches any release of `a`: rpm's rule for a
   * dependency like `openssl < 1.1.1k`, applied to every scheme for constraints, so `=1.1.1f`
   * matches the installed `1.1.1f-1ubuntu2`. Off: a missing release is the empty one, as dpkg
   * orders it (1.0 < 1.0-1).
   */
  isReleaseOptional?: boolean;
}

/** Epoch (a number, 0 when absent), then version, then release. */
export function compareEvr(
  a: string,
  b: string,
  part: (x: string, y: string) => Ordering,
  opts: CompareOptions = {},
): Ordering {
  const x = parseEvr(a);
  const y = parseEvr(b);
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  const byVersion = part(x.version, y.version);
  if (byVersion !== 0 || (opts.isReleaseOptional === true && y.release === undefined)) return byVersion;
  return part(x.release ?? '', y.release ?? '');
}

const APK = /^(\d+(?:\.\d+)*)([a-z]?)((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*)(?:~[0-9a-f]+)?(?:-r(\d+))?$/;
const APK_SUFFIXES = ['alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'];

interface ApkVersion {
  numbers: bigint[];
  letter: string;
  /** [rank in APK_SUFFIXES, number] pairs, ending with the implicit "no suffix". */
  suffixes: [number, bigint][];
  revision: bigint | undefined;
}

function parseApk(text: string): ApkVersion | undefined {
  const m = APK.exec(text);
  if (m === null) return undefined;
  const suffixes = [...(m[3] ?? '').matchAll(/_([a-z]+)(\d*)/g)].map((s): [number, bigint] => [
    APK_SUFFIXES.indexOf(s[1] ?? ''),
    BigInt(s[2] || '0'),
  ]);
  return {
    numbers: (m[1] ?? '0').split('.').map((n) => BigInt(n)),
    letter: m[2] ?? '',
    suffixes: [...suffixes, [APK_SUFFIXES.indexOf(''), 0n]],
    revision: m[4] === undefined ? undefined : BigInt(m[4]),
  };
}

const cmpBig = (a: bigint, b: bigint): Ordering => (a < b ? -1 : a > b ? 1 : 0);

function compareLists<T>(
  a: readonly T[],
  b: readonly T[],
  each: (x: T, y: T) => Ordering,
  shorter: Ordering,
): Ordering {
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    const c = each(a[k] as T, b[k] as T);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? shorter : -shorter;
}

/** apk versions (see the file comment); a missing revision is -r0. */
export function compareApk(a: string, b: string, opts: CompareOptions = {}): Ordering {
  const x = parseApk(a);
  const y = parseApk(b);
  if (x === undefined || y === undefined) return rpmvercmp(a, b);
  const byNumbers = compareLists(x.numbers, y.numbers, cmpBig, -1);
  if (byNumbers !== 0) return byNumbers;
  if (x.letter !== y.letter) return x.letter < y.letter ? -1 : 1;
  const bySuffix = compareLists(x.suffixes, y.suffixes, (s, t) => sign(s[0] - t[0]) || cmpBig(s[1], t[1]), 0);
  if (bySuffix !== 0) return bySuffix;
  if (opts.isReleaseOptional === true && y.revision === undefined) return 0;
  return cmpBig(x.revision ?? 0n, y.revision ?? 0n);
}

/** Compares two version strings of one package manager. */
export function compareVersions(scheme: VersionScheme, a: string, b: string, opts: CompareOptions = {}): Ordering {
  switch (scheme) {
    case 'dpkg':
      return compareEvr(a, b, dpkgPartCompare, opts);
    case 'rpm':
      return compareEvr(a, b, rpmvercmp, opts);
    case 'apk':
      return compareApk(a, b, opts);
  }
}

export const VERSION_OPS = ['<', '<=', '=', '>=', '>', '!='] as const;
export type VersionOp = (typeof VERSION_OPS)[number];

/** Whether an ordering of (installed, wanted) satisfies `installed <op> wanted`. */
export function orderingHolds(op: VersionOp, ordering: Ordering): boolean {
  switch (op) {
    case '<':
      return ordering < 0;
    case '<=':
      return ordering <= 0;
    case '=':
      return ordering === 0;
    case '>=':
      return ordering >= 0;
    case '>':
      return ordering > 0;
    case '!=':
      return ordering !== 0;
  }
}

/** `installed <op> wanted`, where a `wanted` without a release matches any release (see CompareOptions). */
export function versionSatisfies(scheme: VersionScheme, installed: string, op: VersionOp, wanted: string): boolean {
  return orderingHolds(op, compareVersions(scheme, installed, wanted, { isReleaseOptional: true }));
}
