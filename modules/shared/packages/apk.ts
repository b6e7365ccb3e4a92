import { stanzas, type InstalledPackage } from './installed.js';

/** Where apk keeps its database, below the host root. */
export const APK_INSTALLED = '/lib/apk/db/installed';

const FIELDS = new Set(['P', 'V', 'A']);

/** Installed packages of apk's database: stanzas of one-letter keys (P name, V version, A arch). */
export function* parseApkInstalled(text: string): Generator<InstalledPackage> {
  for (const fields of stanzas(text, FIELDS, false)) {
    const name = fields.get('P');
    const version = fields.get('V');
    if (name === undefined || version === undefined) continue;
    yield { name, version, arch: fields.get('A') ?? '', source: 'apk' };
  }
}
