import type { ModuleRun } from '../../protocol/module-spec.js';
import { compileLineRegex } from '../shared/search/regex.js';
import { versionSatisfies } from '../shared/version-compare.js';
import { parseConstraint, type VersionConstraint } from '../shared/packages/constraint.js';
import { installedPackages, type ReadOptions } from '../shared/packages/read.js';
import type { PkgParams, PkgRow } from './spec.js';

/** The schema validated every constraint: one that does not parse here is our bug. */
function constraints(texts: readonly string[] | undefined): VersionConstraint[] {
  return (texts ?? []).map((text) => {
    const parsed = parseConstraint(text);
    if (typeof parsed === 'string') throw new Error(`versions: ${parsed}`);
    return parsed;
  });
}

/** The pkg run with reader options (tests point rpm at a stand-in); runPkg uses the defaults. */
export function pkgRunner(opts: ReadOptions = {}): ModuleRun<PkgParams, PkgRow> {
  return async function* runPkg(params, ctx) {
    const names = params.names.map((name) => compileLineRegex(name));
    const wanted = constraints(params.versions);
    let matched = 0;
    for await (const pkg of installedPackages(ctx, { ...opts, sources: params.sources ?? opts.sources })) {
      if (ctx.signal.aborted) return;
      if (!names.some((name) => name.test(pkg.name))) continue;
      if (!wanted.every((c) => versionSatisfies(pkg.source, pkg.version, c.op, c.version))) continue;
      matched++;
      yield { name: pkg.name, version: pkg.version, arch: pkg.arch, source: pkg.source };
    }
    ctx.count('packagesMatched', matched);
  };
}

/** The pkg module: installed packages whose name matches and whose version satisfies every constraint. */
export const runPkg: ModuleRun<PkgParams, PkgRow> = pkgRunner();
