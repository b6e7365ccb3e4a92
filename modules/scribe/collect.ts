import { readFileSync } from 'node:fs';
import { RE2JS } from 're2js';
import type { ModuleContext } from '../../protocol/module-spec.js';
import { fileParams } from '../shared/search/params.js';
import { compileLineRegex } from '../shared/search/regex.js';
import { errorCode, HostRoot } from '../shared/search/resolve.js';
import { runFile } from '../shared/search/run.js';
import { installedPackages, type InstalledPackage } from '../shared/packages/read.js';
import type { VersionScheme } from '../shared/version-compare.js';
import type { ScribeObject } from './document.js';

/**
 * Gathers each object's values ("candidates" in scribe) from the host. Files are located by the
 * file module itself, as MIG's scribe did (same walk, symlink rules and root prefix); contents
 * are read here line by line with a linear-time regex.
 */

export interface Candidate {
  /** File path or package name. */
  identifier: string;
  value: string;
  /** How a package's versions are ordered; undefined for values from files. */
  scheme?: VersionScheme;
}

export interface Collected {
  candidates: Candidate[];
  /** Set when the object could not be gathered: its tests are errors, not failures. */
  problem?: string;
}

export const MAX_FILES_PER_OBJECT = 1000;
export const MAX_CANDIDATES = 10_000;
const MAX_CONTENT_BYTES = 16 * 1024 * 1024;

/** The first capture group of `regex` in `text` (or the whole match), or undefined without a match. */
function capture(regex: RE2JS, text: string): string | undefined {
  const m = regex.matcher(text);
  if (!m.find()) return undefined;
  return (regex.groupCount() > 0 ? m.group(1) : m.group()) ?? '';
}

/** Paths (host paths) of the files under `path` whose base name matches `file`; undefined when path does not exist. */
async function locate(
  spec: { path: string; file: string; maxdepth: number },
  ctx: ModuleContext,
): Promise<string[] | undefined> {
  try {
    new HostRoot(ctx.root).resolvePath(spec.path);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new Error(`${spec.path}: cannot open (${code})`, { cause: err });
  }
  const params = fileParams.parse({
    searches: {
      s1: {
        paths: [spec.path],
        names: [spec.file],
        options: { maxdepth: spec.maxdepth, matchlimit: MAX_FILES_PER_OBJECT },
      },
    },
  });
  const paths: string[] = [];
  for await (const row of runFile(params, ctx)) paths.push(row.path);
  return paths;
}

function contentCandidates(path: string, real: string, expression: string, out: Candidate[]): void {
  const text = readFileSync(real, 'utf8');
  const line = compileLineRegex(expression);
  const groups = RE2JS.compile(expression);
  for (
    let start = line.firstMatchingLine(text);
    start >= 0 && out.length < MAX_CANDIDATES;
    start = line.firstMatchingLine(text, start)
  ) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const lineText = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    const value = capture(groups, lineText);
    if (value !== undefined) out.push({ identifier: path, value });
    if (nl < 0) break;
    start = nl + 1;
  }
}

async function fileContent(spec: NonNullable<ScribeObject['filecontent']>, ctx: ModuleContext): Promise<Collected> {
  const paths = (await locate(spec, ctx)) ?? [];
  const host = new HostRoot(ctx.root);
  const candidates: Candidate[] = [];
  for (const path of paths) {
    try {
      const { real, stat } = host.resolvePath(path);
      if (stat.size > MAX_CONTENT_BYTES)
        throw Object.assign(new Error('too large'), { code: `larger than ${MAX_CONTENT_BYTES} bytes` });
      contentCandidates(path, real, spec.expression, candidates);
    } catch (err) {
      // A file the test is about but cannot read (an unprivileged agent and /etc/shadow) decides nothing.
      return { candidates, problem: `${path}: cannot read (${errorCode(err)})` };
    }
  }
  return { candidates };
}

async function fileName(spec: NonNullable<ScribeObject['filename']>, ctx: ModuleContext): Promise<Collected> {
  const regex = RE2JS.compile(spec.file);
  const paths = (await locate(spec, ctx)) ?? [];
  return {
    candidates: paths.map((path) => ({
      identifier: path,
      value: capture(regex, path.slice(path.lastIndexOf('/') + 1)) ?? '',
    })),
  };
}

/** Every object's values, in document order; the package databases are read once, and only if needed. */
export async function collectObjects(
  objects: readonly ScribeObject[],
  ctx: ModuleContext,
): Promise<Map<string, Collected>> {
  const collected = new Map<string, Collected>();
  let packages: { list: InstalledPackage[]; problems: string[] } | undefined;
  for (const object of objects) {
    if (ctx.signal.aborted) break;
    try {
      if (object.filecontent !== undefined) collected.set(object.object, await fileContent(object.filecontent, ctx));
      else if (object.filename !== undefined) collected.set(object.object, await fileName(object.filename, ctx));
      else if (object.package !== undefined) {
        packages ??= await readPackages(ctx);
        const name = object.package.name;
        const candidates = packages.list
          .filter((p) => p.name === name)
          .map((p) => ({ identifier: p.name, value: p.version, scheme: p.source }));
        collected.set(
          object.object,
          packages.problems.length > 0 ? { candidates, problem: packages.problems.join('; ') } : { candidates },
        );
      }
    } catch (err) {
      collected.set(object.object, { candidates: [], problem: err instanceof Error ? err.message : String(err) });
    }
    const got = collected.get(object.object);
    if (got !== undefined && got.candidates.length >= MAX_CANDIDATES)
      ctx.warn(`object ${object.object}: stopped at ${MAX_CANDIDATES} values`);
  }
  return collected;
}

/** Installed packages; a database that could not be read makes package answers unreliable, so it is a problem. */
async function readPackages(ctx: ModuleContext): Promise<{ list: InstalledPackage[]; problems: string[] }> {
  const problems: string[] = [];
  const watching: ModuleContext = { ...ctx, warn: (message) => (problems.push(message), ctx.warn(message)) };
  const list: InstalledPackage[] = [];
  for await (const pkg of installedPackages(watching)) list.push(pkg);
  return { list, problems };
}
