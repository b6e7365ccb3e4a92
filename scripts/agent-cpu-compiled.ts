// The agent-cpu bench's child as users run an agent: from compiled dist/, not the sources
// through tsx (whose loader, helpers and source maps a real agent never carries). The child and
// the test-only probe module are not part of dist/, so they are built here into a temp dir, each
// import of the product pointing at its compiled file in dist/ (one copy of every module, as in
// `mig agent`), and the probe kept in a file of its own: a module worker imports it by URL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { REPO_ROOT, SOURCE_DIRS } from '../bin/dist-state.js';
import { buildDistIfStale } from '../bench/dist-build.js';

const CHILD = join(REPO_ROOT, 'scripts', 'agent-cpu-child.ts');
const PROBE = join(REPO_ROOT, 'test', 'helpers', 'agent', 'probe.ts');

/** Imports of compiled sources (and zod, which dist/ bundles) resolve to dist/; the probe to its own output. */
const toDist: Plugin = {
  name: 'agent-cpu-to-dist',
  setup(b) {
    b.onResolve({ filter: /^zod$/ }, () => ({
      path: pathToFileURL(join(REPO_ROOT, 'dist', 'vendor', 'zod.js')).href,
      external: true,
    }));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const source = resolve(dirname(args.importer), args.path).replace(/\.js$/, '.ts');
      if (source === PROBE) return { path: './probe.mjs', external: true };
      const rel = relative(REPO_ROOT, source);
      if (!SOURCE_DIRS.includes(rel.split(sep)[0] ?? '')) return undefined;
      return { path: pathToFileURL(join(REPO_ROOT, 'dist', rel.replace(/\.ts$/, '.js'))).href, external: true };
    });
  },
};

/** Builds dist/ when stale, then the child and the probe beside each other; returns the child's path. */
export async function compiledChild(): Promise<{ path: string; remove(): void }> {
  buildDistIfStale();
  const out = mkdtempSync(join(tmpdir(), 'mig-agent-cpu-'));
  await build({
    entryPoints: { 'agent-cpu-child': CHILD, probe: PROBE },
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [toDist],
    logLevel: 'warning',
  });
  return { path: join(out, 'agent-cpu-child.mjs'), remove: () => rmSync(out, { recursive: true, force: true }) };
}
