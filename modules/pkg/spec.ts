import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { regexProblem } from '../shared/search/regex.js';
import { constraintProblem } from '../shared/packages/constraint.js';
import { checked } from '../shared/param-checks.js';
import { PACKAGE_SOURCES } from '../shared/packages/installed.js';

/**
 * The pkg module's self-description: which installed packages (dpkg, rpm, apk) match a name
 * and, optionally, a version constraint, the way each package manager orders versions. MIG's
 * pkg module answered the same question ("which hosts still run a vulnerable openssl").
 */

export const MAX_NAMES = 64;
export const MAX_CONSTRAINTS = 8;

export const pkgParams = z.strictObject({
  names: z
    .array(checked(regexProblem))
    .min(1, 'expected at least one package name regex, e.g. ^openssl$')
    .max(MAX_NAMES)
    .describe(
      'RE2 regexes on the package name; a package is reported when any of them matches (^openssl$ for one package, ^lib for a family)',
    ),
  versions: z
    .array(checked(constraintProblem))
    .max(MAX_CONSTRAINTS)
    .optional()
    .describe(
      'Version constraints like <1.1.1k, >=2:8.9p1 or !=3.0.2-1 (operators < <= = >= > !=); every one must hold, compared the way the package manager orders versions; without a -release part any release matches',
    ),
  sources: z
    .array(z.enum(PACKAGE_SOURCES))
    .min(1)
    .max(PACKAGE_SOURCES.length)
    .optional()
    .describe('Package databases to read (default: every one present): dpkg, rpm, apk'),
});
export type PkgParams = z.output<typeof pkgParams>;

export const pkgRow = z.strictObject({
  name: z.string().describe('Package name'),
  version: z.string().describe('Installed version as the package manager writes it ([epoch:]version[-release])'),
  arch: z.string().describe('Architecture (amd64, x86_64, noarch...); empty when the database has none'),
  source: z.enum(PACKAGE_SOURCES).describe('Package database the package was found in'),
});
export type PkgRow = z.output<typeof pkgRow>;

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
const pkgCli = z.strictObject({
  name: z.array(z.string()).describe(paramHelp(pkgParams, 'names', 'repeat for several')),
  version: z
    .array(z.string())
    .optional()
    .describe(paramHelp(pkgParams, 'versions', 'quote it (< is a shell redirection); repeat for a range')),
  source: z
    .array(z.enum(PACKAGE_SOURCES))
    .optional()
    .describe(paramHelp(pkgParams, 'sources', 'repeat for several')),
});

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const pkgModule = defineModule({
  name: 'pkg',
  version: '1.0.0',
  summary: 'Find installed packages (dpkg, rpm, apk) by name and version constraint',
  platforms: ['linux'],
  params: pkgParams,
  result: pkgRow,
  columns: [
    { key: 'name', header: 'NAME' },
    { key: 'version', header: 'VERSION' },
    { key: 'arch', header: 'ARCH' },
    { key: 'source', header: 'SOURCE' },
  ],
  cli: {
    schema: pkgCli,
    flags: {},
    toParams: (values) => ({ names: values.name, versions: values.version, sources: values.source }),
  },
  // Nothing masked. Package names and versions are the answer, and say nothing about people.
  privacy: { maxRows: 20_000, maxBytes: 3 * 1024 * 1024 },
  limits: { timeoutMs: 2 * 60_000 },
  examples: [
    {
      command: "mig pkg -name ^openssl$ -name ^libssl -version '<1.1.1k'",
      explains: 'Hosts whose OpenSSL packages are older than 1.1.1k (any distribution revision of an older upstream)',
    },
    {
      command: "mig pkg -name ^xz-utils$ -name ^xz$ -name ^liblzma -version '>=5.6.0' -version '<5.6.2'",
      explains: 'Hosts carrying the backdoored xz 5.6.0 or 5.6.1 (CVE-2024-3094)',
    },
    {
      command: 'mig pkg -name ^linux-image- -source dpkg',
      explains: 'Every installed Debian/Ubuntu kernel image package with its version',
    },
  ],
});
