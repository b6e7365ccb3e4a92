import { HASH_RENAMES, isPlainObject } from './legacy-file.js';

/**
 * MIG's retired `filechecker` module (before syntaxversion 2) took
 * `{ "<path>": { "<check>": { "<ioc name>": ["value", ...] } } }`. Each check becomes one file
 * search on that path. Hash and content checks mean the same thing in both; a filename check
 * matched the full path, which a file-module name (base name) cannot express when the regex
 * mentions a directory, so those are refused rather than silently widened or narrowed.
 */
export interface FilecheckerConversion {
  parameters: { searches: Record<string, Record<string, unknown>> };
  warnings: string[];
  /** Checks that cannot be converted, each naming path, check and ioc. */
  problems: string[];
}

const CHECK_KEYS: Readonly<Record<string, string>> = {
  filename: 'names',
  named: 'names',
  regex: 'contents',
  contains: 'contents',
  md5: 'md5',
  sha1: 'sha1',
  ...HASH_RENAMES,
};

/** Search labels: 1-64 of [A-Za-z0-9_.-] starting with a letter or digit; unique within the operation. */
function labelFor(ioc: string, taken: Set<string>): string {
  const cleaned = ioc.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 56);
  const base = /^[A-Za-z0-9]/.test(cleaned) ? cleaned : `ioc${cleaned}`;
  let label = base;
  for (let n = 2; taken.has(label); n++) label = `${base}_${n}`;
  taken.add(label);
  return label;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string');
}

interface Check {
  path: string;
  check: string;
  ioc: string;
  values: unknown;
}

function listChecks(parameters: unknown, problems: string[]): Check[] {
  if (!isPlainObject(parameters) || Object.keys(parameters).length === 0) {
    problems.push('parameters: expected an object of paths to checks, got none');
    return [];
  }
  const checks: Check[] = [];
  for (const [path, byCheck] of Object.entries(parameters)) {
    if (!isPlainObject(byCheck)) {
      problems.push(`path ${path}: expected an object of checks`);
      continue;
    }
    for (const [check, byIoc] of Object.entries(byCheck)) {
      if (!isPlainObject(byIoc)) problems.push(`check ${path} ${check}: expected an object of ioc names to values`);
      else for (const [ioc, values] of Object.entries(byIoc)) checks.push({ path, check, ioc, values });
    }
  }
  return checks;
}

export function convertFilechecker(parameters: unknown): FilecheckerConversion {
  const problems: string[] = [];
  const warnings: string[] = [];
  const searches: Record<string, Record<string, unknown>> = Object.create(null) as Record<
    string,
    Record<string, unknown>
  >;
  const taken = new Set<string>();
  for (const { path, check, ioc, values } of listChecks(parameters, problems)) {
    const where = `check ${path} ${check} ${ioc}`;
    const key = CHECK_KEYS[check.toLowerCase()];
    if (key === undefined)
      problems.push(`${where}: unknown check type ${check} (expected one of ${Object.keys(CHECK_KEYS).join(', ')})`);
    else if (!isStringList(values)) problems.push(`${where}: expected a list of strings`);
    else if (key === 'names' && values.some((v) => v.includes('/'))) {
      problems.push(
        `${where}: the regex matches a full path, which a file search name (base name only) cannot express`,
      );
    } else {
      const label = labelFor(ioc, taken);
      searches[label] = { paths: [path], [key]: values };
      if (key === 'names')
        warnings.push(`search ${label}: filename regex now matches the base name, not the full path`);
    }
  }
  warnings.unshift(
    `converted MIG's retired filechecker module to file (${taken.size} search${taken.size === 1 ? '' : 'es'})`,
  );
  return { parameters: { searches: { ...searches } }, warnings, problems };
}
