/**
 * MIG's file parameters, rewritten where their meaning differs from ours or where an older MIG
 * wrote another shape. Each rewrite has exactly one meaning and is reported as a warning so the
 * investigator sees what changed before signing. Anything else is left alone for the schema to
 * refuse with the field's path: guessing here would change what an action looks for.
 */
export interface Converted {
  parameters: unknown;
  warnings: string[];
}

// Early v2 file modules took one list per hash size; later ones pick the size from the length.
// The retired filechecker's hash checks (legacy-filechecker.ts) use the same names.
export const HASH_RENAMES: Readonly<Record<string, 'sha2' | 'sha3'>> = {
  sha256: 'sha2',
  sha384: 'sha2',
  sha512: 'sha2',
  sha3_224: 'sha3',
  sha3_256: 'sha3',
  sha3_384: 'sha3',
  sha3_512: 'sha3',
};
const NUMBER_OPTIONS = new Set(['maxdepth', 'matchlimit', 'maxerrors']);
const BOOLEAN_OPTIONS = new Set(['matchall', 'matchany', 'macroal', 'decompress', 'returnsha256']);
const FILTER_KEYS = ['names', 'contents', 'sizes', 'modes', 'mtimes', 'md5', 'sha1', 'sha2', 'sha3'] as const;
const LIST_KEYS = ['paths', ...FILTER_KEYS] as const;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function renameHashes(search: Record<string, unknown>, where: string, warnings: string[]): void {
  for (const [old, target] of Object.entries(HASH_RENAMES)) {
    const values = search[old];
    if (values === undefined) continue;
    const existing = search[target];
    // Only plain string lists merge unambiguously; anything else stays for the schema to name.
    if (!Array.isArray(values) || (existing !== undefined && !Array.isArray(existing))) continue;
    search[target] = [...((existing as unknown[] | undefined) ?? []), ...(values as unknown[])];
    delete search[old];
    warnings.push(`${where}: moved ${old} to ${target} (MIG now picks the hash size from its length)`);
  }
}

function convertOptions(options: Record<string, unknown>, where: string, warnings: string[]): void {
  for (const [key, value] of Object.entries(options)) {
    if (typeof value !== 'string') continue;
    if (NUMBER_OPTIONS.has(key) && /^\d{1,9}$/.test(value)) {
      options[key] = Number(value);
      warnings.push(`${where}: read options.${key} "${value}" as the number ${value}`);
    } else if (BOOLEAN_OPTIONS.has(key) && (value === 'true' || value === 'false')) {
      options[key] = value === 'true';
      warnings.push(`${where}: read options.${key} "${value}" as the boolean ${value}`);
    } else if (key === 'mismatch') {
      options[key] = [value];
      warnings.push(`${where}: read options.mismatch "${value}" as the list ["${value}"]`);
    }
  }
}

function dedupeLists(search: Record<string, unknown>, where: string, warnings: string[]): void {
  for (const key of LIST_KEYS) {
    const values = search[key];
    if (!Array.isArray(values)) continue;
    const unique = [...new Set(values)];
    if (unique.length === values.length) continue;
    search[key] = unique;
    const removed = values.length - unique.length;
    warnings.push(`${where}: removed ${removed} duplicate ${key} value${removed === 1 ? '' : 's'}`);
  }
}

/**
 * MIG's agent reads a search without `matchall: true` as "any filter matches" (its console set
 * matchall on the command line only), while ours defaults to all. Keeping MIG's meaning takes an
 * explicit matchany; it only changes results when the search has two or more filter values.
 */
function keepMatchAny(search: Record<string, unknown>, where: string, warnings: string[]): void {
  const options = isPlainObject(search.options) ? search.options : {};
  // Anything but absent or false (true, or a value the schema will refuse) is left as written.
  if ((options.matchall !== undefined && options.matchall !== false) || options.matchany !== undefined) return;
  delete options.matchall;
  search.options = { ...options, matchany: true };
  const count = FILTER_KEYS.reduce(
    (n, key) => n + (Array.isArray(search[key]) ? (search[key] as unknown[]).length : 0),
    0,
  );
  if (count >= 2)
    warnings.push(
      `${where}: without matchall MIG reports files matching any of its ${count} filter values: set options.matchany`,
    );
}

/** Rewrites MIG file parameters to ours; returns a fresh copy, the input is not touched. */
export function convertMigFileParams(parameters: unknown): Converted {
  const warnings: string[] = [];
  if (!isPlainObject(parameters) || !isPlainObject(parameters.searches)) return { parameters, warnings };
  // fromEntries defines own properties: a hostile "__proto__" label stays a plain key.
  const searches = Object.fromEntries(
    Object.entries(parameters.searches).map(([label, raw]) => {
      if (!isPlainObject(raw)) return [label, raw];
      const search: Record<string, unknown> = structuredClone(raw);
      const where = `search ${label}`;
      renameHashes(search, where, warnings);
      if (isPlainObject(search.options)) convertOptions(search.options, where, warnings);
      dedupeLists(search, where, warnings);
      if (search.options === undefined || isPlainObject(search.options)) keepMatchAny(search, where, warnings);
      return [label, search];
    }),
  );
  return { parameters: { ...parameters, searches }, warnings };
}
