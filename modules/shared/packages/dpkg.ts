import { stanzas, type InstalledPackage } from './installed.js';

/** Where dpkg keeps its database, below the host root. */
export const DPKG_STATUS = '/var/lib/dpkg/status';

const FIELDS = new Set(['package', 'status', 'version', 'architecture']);

/**
 * Installed packages of a dpkg status file. `Status: <want> <flag> <state>`: a package is
 * installed when its state is `installed` (so `hold ok installed` counts, and
 * `deinstall ok config-files`, a removed package's leftovers, does not). Field names are
 * case-insensitive (Debian policy 5.1).
 */
export function* parseDpkgStatus(text: string): Generator<InstalledPackage> {
  for (const fields of stanzas(text, FIELDS, true)) {
    const name = fields.get('package');
    const version = fields.get('version');
    const state = (fields.get('status') ?? '').split(/\s+/);
    if (name === undefined || version === undefined || state[2] !== 'installed' || state[1] !== 'ok') continue;
    yield { name, version, arch: fields.get('architecture') ?? '', source: 'dpkg' };
  }
}
