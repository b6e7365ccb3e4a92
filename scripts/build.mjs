// @ts-check
/**
 * `npm run build` (and `prepare`, so `npm ci` builds): compiles the TypeScript sources to dist/
 * with tsc, keeping the folder layout, so `mig` starts from JavaScript instead of compiling at
 * every start. Then copies what the compiled code reads beside itself (worker .mjs files, JSON)
 * and writes dist/package.json (agent and server read their version from `../package.json`);
 * zod is bundled into dist/vendor/zod.js, which the compiled files import (see below).
 * The stamp and the list of files read are written last, and only on success: bin/mig.js runs dist/ only when the stamp is
 * newer than every source (bin/dist-state.js).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT, SOURCE_LIST, STAMP, buildInputs } from '../bin/dist-state.js';

/** Files a compiled module loads by URL at run time (never imported, so tsc does not emit them). */
const ASSET = /\.(mjs|json)$/;
/** Test data: not read by the running code. */
const SKIP_DIRS = /(^|\/)(fixtures|testing)(\/|$)/;

const started = new Date();
// Listed before compiling: a file saved from here on is newer than the stamp.
const inputs = buildInputs();
const stamp = join(REPO_ROOT, STAMP);
// A half-written dist/ must not look current while tsc rewrites it.
rmSync(stamp, { force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error(
    'build: tsc failed; dist/ is not current and `mig` runs the sources through tsx until a build succeeds',
  );
  process.exit(compiled.status ?? 1);
}

let copied = 0;
for (const rel of inputs) {
  if (!rel.includes('/') || !ASSET.test(rel) || SKIP_DIRS.test(rel)) continue;
  const target = join(REPO_ROOT, 'dist', rel);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(REPO_ROOT, rel), target);
  copied += 1;
}

// zod's package entry is 95 ES modules, 64 of them locales it re-exports eagerly: one bundled
// file loads in half the CPU (125 -> 68 ms measured), the largest cost of `mig --help`. The
// compiled code imports it instead of 'zod'; tests run the sources, on the package itself.
const VENDOR_ZOD = join(REPO_ROOT, 'dist', 'vendor', 'zod.js');
await build({
  stdin: { contents: "export * from 'zod';", resolveDir: REPO_ROOT, loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: VENDOR_ZOD,
  logLevel: 'warning',
});
let rewritten = 0;
for (const entry of readdirSync(join(REPO_ROOT, 'dist'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
  const path = join(entry.parentPath, entry.name);
  if (path === VENDOR_ZOD) continue;
  const code = readFileSync(path, 'utf8');
  if (!code.includes("from 'zod';")) continue;
  let target = relative(entry.parentPath, VENDOR_ZOD);
  if (!target.startsWith('.')) target = `./${target}`;
  writeFileSync(path, code.replaceAll("from 'zod';", `from '${target}';`));
  rewritten += 1;
}

/** @type {{ name: string; version: string }} */
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
const distPackage = {
  name: pkg.name,
  version: pkg.version,
  private: true,
  type: 'module',
  description: 'Compiled by scripts/build.mjs; do not edit',
};
writeFileSync(join(REPO_ROOT, 'dist', 'package.json'), `${JSON.stringify(distPackage, null, 2)}\n`);

writeFileSync(join(REPO_ROOT, SOURCE_LIST), `${inputs.join('\n')}\n`);
writeFileSync(stamp, `${started.toISOString()}\n`);
// The build's start, not its end: a source saved while tsc ran is newer than the build.
utimesSync(stamp, started, started);
console.log(
  `build: dist/ compiled, ${copied} assets copied, ${rewritten} newly compiled files pointed at the bundled zod`,
);
