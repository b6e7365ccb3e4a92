import { regexProblem } from './regex.js';

/**
 * The small languages inside file search parameters (sizes, ages, hashes, negatable regexes),
 * parsed once here for both the schema (which reports problems) and the run (which uses the
 * values). Each problem says what was expected and what was given, and guesses the mistake.
 */

export type HashFilter = 'md5' | 'sha1' | 'sha2' | 'sha3';
export type HashAlgorithm =
  'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'sha3-224' | 'sha3-256' | 'sha3-384' | 'sha3-512';

/** Hex length → algorithm, per filter (MIG picks the sha2/sha3 variant from the length). */
export const HASH_LENGTHS: Readonly<Record<HashFilter, ReadonlyMap<number, HashAlgorithm>>> = {
  md5: new Map([[32, 'md5']]),
  sha1: new Map([[40, 'sha1']]),
  sha2: new Map([
    [64, 'sha256'],
    [96, 'sha384'],
    [128, 'sha512'],
  ]),
  sha3: new Map([
    [56, 'sha3-224'],
    [64, 'sha3-256'],
    [96, 'sha3-384'],
    [128, 'sha3-512'],
  ]),
};

const EXPECTED_HASH: Readonly<Record<HashFilter, string>> = {
  md5: '32 hex chars (md5)',
  sha1: '40 hex chars (sha1)',
  sha2: '64, 96 or 128 hex chars (sha256/384/512)',
  sha3: '56, 64, 96 or 128 hex chars (sha3-224/256/384/512)',
};

/** What a hash of this length most likely is, and where it belongs. */
const LENGTH_GUESS: ReadonlyMap<number, string> = new Map([
  [32, 'an md5 (use md5)'],
  [40, 'a sha1 (use sha1)'],
  [56, 'a sha3-224 (use sha3)'],
  [64, 'a sha256 (use sha2) or sha3-256 (use sha3)'],
  [96, 'a sha384 (use sha2) or sha3-384 (use sha3)'],
  [128, 'a sha512 (use sha2) or sha3-512 (use sha3)'],
]);

export function hashProblem(filter: HashFilter, value: string): string | undefined {
  const bad = /[^0-9a-fA-F]/.exec(value);
  if (bad !== null)
    return `expected hex digits only, got ${JSON.stringify(bad[0])} at position ${bad.index} of ${JSON.stringify(value.slice(0, 140))}`;
  if (HASH_LENGTHS[filter].has(value.length)) return undefined;
  const guess = LENGTH_GUESS.get(value.length);
  return `expected ${EXPECTED_HASH[filter]}, got ${value.length}${guess === undefined ? '' : `; did you pass ${guess}?`}`;
}

/** Size suffixes, powers of 1024 (the memory module's -maxlength reads them too). */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** Inclusive byte bounds: `<10m` is size < 10 MiB, `>1k` size > 1024, `=0` or `0` exactly 0. */
export interface SizeRange {
  min: number;
  max: number;
}

export function parseSize(value: string): SizeRange | string {
  const m = /^([<>=]?)(\d{1,16})([kmgt]?)$/.exec(value);
  const bytes = m === null ? Number.NaN : Number(m[2]) * (SIZE_UNITS[m[3] ?? ''] ?? Number.NaN);
  if (m === null || !Number.isSafeInteger(bytes)) {
    return `expected a size like <10m, >1k or =0 (units k, m, g, t are powers of 1024), got ${JSON.stringify(value)}`;
  }
  if (m[1] === '<') return { min: 0, max: bytes - 1 };
  if (m[1] === '>') return { min: bytes + 1, max: Number.MAX_SAFE_INTEGER };
  return { min: bytes, max: bytes };
}

const AGE_MS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000 };
const MAX_AGE_MS = 200 * 365 * 86_400_000;

/** `<90d`: modified within the last 90 days; `>5h`: modified more than 5 hours ago. */
export interface AgeFilter {
  isNewer: boolean;
  ageMs: number;
}

export function parseAge(value: string): AgeFilter | string {
  const m = /^([<>])(\d{1,9})([dhm])$/.exec(value);
  const ageMs = m === null ? Number.NaN : Number(m[2]) * (AGE_MS[m[3] ?? ''] ?? Number.NaN);
  if (m === null || !(ageMs <= MAX_AGE_MS)) {
    return `expected an age like <90d (modified within 90 days), >5h or <30m (d, h, m), got ${JSON.stringify(value)}`;
  }
  return { isNewer: m[1] === '<', ageMs };
}

/** MIG's negation: a leading `!` (on a pattern longer than `!` itself) inverts a name or content regex. */
export function splitNegation(value: string): { pattern: string; isNegated: boolean } {
  return value.length > 1 && value.startsWith('!')
    ? { pattern: value.slice(1), isNegated: true }
    : { pattern: value, isNegated: false };
}

export function negatableRegexProblem(value: string): string | undefined {
  return regexProblem(splitNegation(value).pattern);
}
