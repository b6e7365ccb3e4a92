import { execFile } from 'node:child_process';
import type { InstalledPackage } from './installed.js';

/**
 * rpm keeps its database in BerkeleyDB (`Packages`), ndb (`Packages.db`) or sqlite
 * (`rpmdb.sqlite`) files, none of which Node 20 reads without a native module. So the agent asks
 * the host's own rpm command, and only when it investigates the host itself (root '/'): rpm's
 * idea of the database is then the one we would be asked about.
 */

/** Where rpm databases live (Fedora 36+ moved it to /usr/lib/sysimage/rpm). */
export const RPM_DB_DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'] as const;
export const RPM_DB_FILES = ['rpmdb.sqlite', 'Packages.db', 'Packages'] as const;
/** Fixed locations, not $PATH: an agent runs as root and must not run whatever PATH finds first. */
export const RPM_BINARIES = ['/usr/bin/rpm', '/bin/rpm'] as const;
const QUERY_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n';
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** rpm prints this for a tag the header does not have. */
const NONE = '(none)';

/** Packages of `rpm -qa --queryformat` output in QUERY_FORMAT; malformed lines are counted, not fatal. */
export function parseRpmQuery(stdout: string): { packages: InstalledPackage[]; malformed: number } {
  const packages: InstalledPackage[] = [];
  let malformed = 0;
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [name, epoch, version, release, arch, ...rest] = line.split('\t');
    if (
      name === undefined ||
      name === '' ||
      version === undefined ||
      release === undefined ||
      arch === undefined ||
      rest.length > 0
    ) {
      malformed++;
      continue;
    }
    const withEpoch = epoch === undefined || epoch === NONE || epoch === '' ? version : `${epoch}:${version}`;
    const full = release === NONE || release === '' ? withEpoch : `${withEpoch}-${release}`;
    packages.push({ name, version: full, arch: arch === NONE ? '' : arch, source: 'rpm' });
  }
  return { packages, malformed };
}

export interface RpmQueryOptions {
  binary: string;
  signal: AbortSignal;
  timeoutMs: number;
}

/** Runs `rpm -qa` with a fixed environment; rejects with rpm's stderr on failure. */
export function queryRpm(opts: RpmQueryOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      opts.binary,
      ['-qa', '--queryformat', QUERY_FORMAT],
      {
        signal: opts.signal,
        timeout: opts.timeoutMs,
        maxBuffer: MAX_OUTPUT_BYTES,
        encoding: 'utf8',
        env: { LC_ALL: 'C', PATH: '/usr/bin:/bin' },
      },
      (err, stdout, stderr) => {
        if (err === null) resolve(stdout);
        else
          reject(
            new Error(
              `${err.message.split('\n')[0] ?? ''}${stderr.trim() === '' ? '' : `: ${stderr.trim().slice(0, 300)}`}`,
              { cause: err },
            ),
          );
      },
    );
  });
}
