import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ModuleContext } from '../../../protocol/module-spec.js';
import { errorCode, HostRoot } from '../search/resolve.js';
import { APK_INSTALLED, parseApkInstalled } from './apk.js';
import { DPKG_STATUS, parseDpkgStatus } from './dpkg.js';
import { PACKAGE_SOURCES, type InstalledPackage, type PackageSource } from './installed.js';
import { parseRpmQuery, queryRpm, RPM_BINARIES, RPM_DB_DIRS, RPM_DB_FILES } from './rpm.js';

export type { InstalledPackage } from './installed.js';

/**
 * Installed packages of every package database present under `ctx.root`. Agent-side: the pkg
 * module and scribe's package objects both read through here.
 */

/** A status file this large is not a package database (Debian's biggest are ~20 MB). */
const MAX_DB_BYTES = 256 * 1024 * 1024;
const RPM_TIMEOUT_MS = 60_000;

export interface ReadOptions {
  /** Default: every source. */
  sources?: readonly PackageSource[];
  /** rpm commands to try, in order (tests point this at a stand-in). */
  rpmBinaries?: readonly string[];
  /** Whether ctx.root is the machine itself; default: it resolves to '/'. */
  isHostRoot?: boolean;
}

/** Reads a database file inside the host root; undefined when it does not exist (no such package manager). */
async function readDatabase(host: HostRoot, path: string, ctx: ModuleContext): Promise<string | undefined> {
  try {
    const { real, stat } = host.resolvePath(path);
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    if (stat.size > MAX_DB_BYTES)
      throw Object.assign(new Error('too large'), { code: `larger than ${MAX_DB_BYTES} bytes` });
    return await readFile(real, { encoding: 'utf8', signal: ctx.signal });
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (ctx.signal.aborted) return undefined;
    ctx.warn(`${path}: cannot read the package database (${code})`);
    return undefined;
  }
}

function rpmDatabase(host: HostRoot): string | undefined {
  for (const dir of RPM_DB_DIRS) {
    for (const file of RPM_DB_FILES) {
      const path = `${dir}/${file}`;
      try {
        if (host.resolvePath(path).stat.isFile()) return path;
      } catch {
        // Absent: try the next name.
      }
    }
  }
  return undefined;
}

async function rpmPackages(host: HostRoot, ctx: ModuleContext, opts: ReadOptions): Promise<InstalledPackage[]> {
  const db = rpmDatabase(host);
  if (db === undefined) return [];
  const unreadable = `rpm database not readable: ${db}`;
  if (!(opts.isHostRoot ?? host.real('/') === '/')) {
    ctx.warn(`${unreadable} (BerkeleyDB/sqlite: only the host's rpm command reads it, and the agent's root is not /)`);
    return [];
  }
  const binary = (opts.rpmBinaries ?? RPM_BINARIES).find((candidate) => existsSync(candidate));
  if (binary === undefined) {
    ctx.warn(
      `${unreadable} (BerkeleyDB/sqlite, and there is no rpm command at ${(opts.rpmBinaries ?? RPM_BINARIES).join(' or ')})`,
    );
    return [];
  }
  try {
    const { packages, malformed } = parseRpmQuery(
      await queryRpm({ binary, signal: ctx.signal, timeoutMs: RPM_TIMEOUT_MS }),
    );
    if (malformed > 0) ctx.warn(`rpm -qa: ${malformed} line(s) not understood`);
    return packages;
  } catch (err) {
    if (!ctx.signal.aborted)
      ctx.warn(`${unreadable} (rpm -qa failed: ${err instanceof Error ? err.message : String(err)})`);
    return [];
  }
}

async function readSource(
  source: PackageSource,
  host: HostRoot,
  ctx: ModuleContext,
  opts: ReadOptions,
): Promise<InstalledPackage[]> {
  switch (source) {
    case 'dpkg': {
      const text = await readDatabase(host, DPKG_STATUS, ctx);
      return text === undefined ? [] : [...parseDpkgStatus(text)];
    }
    case 'apk': {
      const text = await readDatabase(host, APK_INSTALLED, ctx);
      return text === undefined ? [] : [...parseApkInstalled(text)];
    }
    case 'rpm':
      return rpmPackages(host, ctx, opts);
  }
}

/** Every installed package, database by database; counts `<source>Packages` for each database read. */
export async function* installedPackages(ctx: ModuleContext, opts: ReadOptions = {}): AsyncGenerator<InstalledPackage> {
  const host = new HostRoot(ctx.root);
  for (const source of opts.sources ?? PACKAGE_SOURCES) {
    if (ctx.signal.aborted) return;
    const packages = await readSource(source, host, ctx, opts);
    if (packages.length > 0) ctx.count(`${source}Packages`, packages.length);
    yield* packages;
  }
}
