import { execFileSync } from 'node:child_process';

/** Runs the openssl CLI in `dir` (where its input and output files are), failing on any error. */
export function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/**
 * A self-signed P-256 certificate valid two days: `${name}.key` and `${name}.pem` in `dir`, with
 * subject CN `cn` and each of `extensions` as an `-addext` (a CA's basicConstraints, a server's
 * subjectAltName).
 */
export function selfSignedCert(dir: string, name: string, cn: string, extensions: readonly string[]): void {
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-subj',
    `/CN=${cn}`,
    ...extensions.flatMap((e) => ['-addext', e]),
  );
}
