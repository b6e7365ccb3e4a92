/**
 * Installed-package databases, read by the pkg module (which packages match) and by scribe
 * (package facts in documents): one reader in modules/shared so neither module reaches into
 * the other.
 */
export const PACKAGE_SOURCES = ['dpkg', 'rpm', 'apk'] as const;
export type PackageSource = (typeof PACKAGE_SOURCES)[number];

/** One installed package as a package database records it. */
export interface InstalledPackage {
  name: string;
  /** `[epoch:]version[-release]`, as the package manager writes it. */
  version: string;
  arch: string;
  source: PackageSource;
}

/**
 * Splits a `Key: value` stanza file (dpkg's status, apk's installed) into records of the wanted
 * keys. Stanzas end at a blank line; continuation lines (leading space or tab) belong to the
 * previous field and are skipped, since no wanted field spans lines.
 */
export function* stanzas(text: string, wanted: ReadonlySet<string>, foldCase: boolean): Generator<Map<string, string>> {
  let current = new Map<string, string>();
  let hasFields = false;
  let start = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') {
      if (hasFields) yield current;
      current = new Map();
      hasFields = false;
      continue;
    }
    hasFields = true;
    if (line.startsWith(' ') || line.startsWith('\t')) continue;
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const key = foldCase ? line.slice(0, at).toLowerCase() : line.slice(0, at);
    if (wanted.has(key)) current.set(key, line.slice(at + 1).trim());
  }
  if (hasFields) yield current;
}
