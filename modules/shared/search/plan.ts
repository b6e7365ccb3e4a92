import { posix } from 'node:path';
import {
  HASH_LENGTHS,
  parseAge,
  parseSize,
  splitNegation,
  type AgeFilter,
  type HashAlgorithm,
  type HashFilter,
  type SizeRange,
} from './param-values.js';
import type { FileParams, FileSearch, FilterName } from './params.js';
import { compileLineRegex, type LineRegex } from './regex.js';

/**
 * A search compiled for the run: regexes compiled, sizes and ages parsed, hashes grouped by
 * algorithm, plus the search's running counters. Built from parameters the schema accepted.
 */

export interface RegexCheck {
  re: LineRegex;
  isNegated: boolean;
  /** How the check reads in `matched`: `name:^sshd$`. */
  label: string;
}

export interface BoundCheck<T> {
  bound: T;
  label: string;
}

export interface HashCheck {
  filter: HashFilter;
  /** Wanted lowercase digests per algorithm (a sha2 list may mix sha256 and sha512). */
  wanted: ReadonlyMap<HashAlgorithm, ReadonlySet<string>>;
}

export interface SearchPlan {
  index: number;
  label: string;
  /** Normalized search paths, as the investigator named them (no root prefix). */
  bases: readonly string[];
  maxdepth: number;
  mode: 'all' | 'any';
  matchlimit: number;
  maxerrors: number;
  isDecompress: boolean;
  isReturnSha256: boolean;
  isMacroal: boolean;
  mismatch: ReadonlySet<FilterName>;
  names: readonly RegexCheck[];
  modes: readonly RegexCheck[];
  sizes: readonly BoundCheck<SizeRange>[];
  mtimes: readonly BoundCheck<AgeFilter>[];
  contents: readonly RegexCheck[];
  hashes: readonly HashCheck[];
  /** Every algorithm this search needs from a file's bytes (sha256 too for returnsha256). */
  algorithms: ReadonlySet<HashAlgorithm>;
  /** Running state. */
  matches: number;
  errors: number;
  isStopped: boolean;
}

/** `/etc/` and `/etc` are one path; `/a/../b` is `/b`. */
export function normalizePath(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

function regexChecks(filter: FilterName, values: readonly string[] | undefined, isNegatable: boolean): RegexCheck[] {
  return (values ?? []).map((value) => {
    const { pattern, isNegated } = isNegatable ? splitNegation(value) : { pattern: value, isNegated: false };
    return { re: compileLineRegex(pattern), isNegated, label: `${filter}:${value}` };
  });
}

function bounds<T>(
  filter: FilterName,
  values: readonly string[] | undefined,
  parse: (v: string) => T | string,
): BoundCheck<T>[] {
  return (values ?? []).map((value) => {
    const bound = parse(value);
    // The schema ran the same parser: a string here is our bug, not the investigator's.
    if (typeof bound === 'string') throw new Error(`${filter} ${value} passed the schema but does not parse: ${bound}`);
    return { bound, label: `${filter}:${value}` };
  });
}

function hashCheck(filter: HashFilter, values: readonly string[] | undefined): HashCheck[] {
  if (values === undefined || values.length === 0) return [];
  const wanted = new Map<HashAlgorithm, Set<string>>();
  for (const value of values) {
    const algorithm = HASH_LENGTHS[filter].get(value.length);
    if (algorithm === undefined) throw new Error(`${filter} ${value} passed the schema with a bad length`);
    const set = wanted.get(algorithm) ?? new Set<string>();
    set.add(value.toLowerCase());
    wanted.set(algorithm, set);
  }
  return [{ filter, wanted }];
}

function planSearch(label: string, search: FileSearch, index: number): SearchPlan {
  const { options } = search;
  const hashes = [
    ...hashCheck('md5', search.md5),
    ...hashCheck('sha1', search.sha1),
    ...hashCheck('sha2', search.sha2),
    ...hashCheck('sha3', search.sha3),
  ];
  const algorithms = new Set<HashAlgorithm>(hashes.flatMap((h) => [...h.wanted.keys()]));
  if (options.returnsha256) algorithms.add('sha256');
  return {
    index,
    label,
    bases: [...new Set(search.paths.map(normalizePath))],
    maxdepth: options.maxdepth,
    // MIG: matchall unless matchany is set (or matchall explicitly false).
    mode: options.matchany === true || options.matchall === false ? 'any' : 'all',
    matchlimit: options.matchlimit,
    maxerrors: options.maxerrors,
    isDecompress: options.decompress,
    isReturnSha256: options.returnsha256,
    isMacroal: options.macroal,
    mismatch: new Set(options.mismatch ?? []),
    names: regexChecks('name', search.names, true),
    modes: regexChecks('mode', search.modes, false),
    sizes: bounds('size', search.sizes, parseSize),
    mtimes: bounds('mtime', search.mtimes, parseAge),
    contents: regexChecks('content', search.contents, true),
    hashes,
    algorithms,
    matches: 0,
    errors: 0,
    isStopped: false,
  };
}

export function planSearches(params: FileParams): SearchPlan[] {
  return Object.entries(params.searches).map(([label, search], index) => planSearch(label, search, index));
}

/** Does this search read file bytes whatever the metadata says (content or hash filters)? */
export function readsContent(search: SearchPlan): boolean {
  return search.contents.length > 0 || search.hashes.length > 0;
}

/**
 * A plan with no filters of its own, for a module that walks with this walker and judges files
 * itself (yara): every file under `paths` is handed over. Read problems are warnings only.
 */
export function walkOnlyPlan(
  label: string,
  paths: readonly string[],
  limits: { maxdepth: number; matchlimit: number },
): SearchPlan {
  return {
    index: 0,
    label,
    bases: [...new Set(paths.map(normalizePath))],
    maxdepth: limits.maxdepth,
    mode: 'all',
    matchlimit: limits.matchlimit,
    maxerrors: Number.POSITIVE_INFINITY,
    isDecompress: false,
    isReturnSha256: false,
    isMacroal: false,
    mismatch: new Set(),
    names: [],
    modes: [],
    sizes: [],
    mtimes: [],
    contents: [],
    hashes: [],
    algorithms: new Set(),
    matches: 0,
    errors: 0,
    isStopped: false,
  };
}
