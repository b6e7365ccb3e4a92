// @ts-check
/**
 * `npm run build` (and `prepare`, so `npm ci` builds): compiles the TypeScript sources to dist/
 * with tsc, keeping the folder layout, so `mig` starts from JavaScript instead of compiling at
 * every start. Then copies what the compiled code reads beside itself (worker .mjs files, JSON)
 * and writes dist/package.json (agent and server read their version from `../package.json`);
 * zod is bundled into dist/vendor/zod.js, which the compiled files import (see below).
 * Then bundles the `mig` entry, split by command, into dist/cli/ (what bin/mig.js runs; the tsc
 * output serves worker threads) and renders `mig --help` into dist/cli/overview-help.txt.
 * The stamp and the list of files read are written last, and only on success: bin/mig.js runs dist/ only when the stamp is
 * newer than every source (bin/dist-state.js).
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { build, transform } from 'esbuild';
import { escapeNonAscii } from './ascii-escape.mjs';
import { pathToFileURL } from 'node:url';
import {
  CLI_COMMONJS,
  INVESTIGATOR_COMMONJS,
  OVERVIEW_HELP,
  REPO_ROOT,
  SOURCE_LIST,
  STAMP,
  buildInputs,
} from '../bin/dist-state.js';

/** Dependencies the CLI bundle loads as CommonJS through V8's code cache (bundleCachedVendors). */
const CACHED_VENDORS = ['zod', 're2js'];
const CACHED_VENDOR = new RegExp(`^(${CACHED_VENDORS.join('|')})$`);
const VENDOR_DIR = join(REPO_ROOT, 'dist', 'vendor');

/** Bundled sources, read as TypeScript. */
const SOURCE_FILE = /\.(ts|tsx)$/;
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

/**
 * zod re-exports its 64 locales (38 % of its code) as `z.locales`; nothing here switches
 * language, and its default (English) is imported on its own. Bundles keep English only.
 * @type {import('esbuild').Plugin}
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes('/node_modules/zod/')
        ? { path: join(dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

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
  plugins: [zodEnglishOnly],
});
await bundleCachedVendors();
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

/** @type {{ name: string; version: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }} */
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
const bundled = await bundleCli();
await bundleCliCommonJs();
warmCodeCaches();
renderOverviewHelp();
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
  `build: dist/ compiled, ${copied} assets copied, ${rewritten} newly compiled files pointed at the bundled zod, ` +
    `CLI bundled into ${bundled} files`,
);

/**
 * The `mig` entry bundled by esbuild into dist/cli/ (what bin/mig.js runs): one file for what
 * every command loads, plus one chunk per dynamically imported layer (the server, the agent,
 * the console, each module's run code...), so a command still loads only its own code. Node
 * spent a third of `mig --help` resolving, reading and linking ~60 ES modules one by one, and
 * the bundle also drops the parts of zod nothing uses (doc/performance.md, Start-up).
 *
 * Large dependencies only some commands use stay ordinary imports of node_modules. The tsc
 * output above stays: worker threads (module workers, YARA scanners) start from those files,
 * found by URL. A bundled source's `import.meta.url` is therefore rewritten to the URL of its
 * compiled twin under dist/, so every `new URL('./x', import.meta.url)` still finds its file.
 * @returns {Promise<number>} the number of files written
 */
async function bundleCli() {
  const outdir = join(REPO_ROOT, 'dist', 'cli');
  rmSync(outdir, { recursive: true, force: true });
  // zod and re2js come through their cached CommonJS bundles (vendorShim).
  const external = cliExternals();
  const result = await build({
    entryPoints: { main: join(REPO_ROOT, 'bin', 'main.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    external,
    metafile: true,
    logLevel: 'warning',
    plugins: [
      {
        // zod and re2js come from their CommonJS bundles through V8's code cache (above).
        name: 'vendor-through-code-cache',
        setup(b) {
          b.onResolve({ filter: CACHED_VENDOR }, (args) => ({ path: args.path, namespace: 'code-cached-vendor' }));
          b.onLoad({ filter: /.*/, namespace: 'code-cached-vendor' }, (args) => ({
            contents: vendorShim(args.path),
            resolveDir: REPO_ROOT,
            loader: 'js',
          }));
        },
      },
      compiledTwinUrls(outdir, 'import.meta.url'),
    ],
  });
  return Object.keys(result.metafile.outputs).length;
}

/**
 * Packages the CLI bundles leave to node_modules, loaded on demand. Small ones nearly every
 * command uses are bundled (and tree-shaken). Dev dependencies too: `mig agent bundle` imports
 * esbuild only when run, and only in a checkout.
 * @returns {string[]}
 */
function cliExternals() {
  const inline = new Set(['zod', 'chalk', 're2js', 'croner']);
  return [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]
    .filter((name) => !inline.has(name))
    .flatMap((name) => [name, `${name}/*`]);
}

/**
 * A bundled source's `import.meta.url`, rewritten to the URL of its compiled twin under dist/, so
 * every `new URL('./x', import.meta.url)` still finds its file (worker scripts, assets).
 * `base`: the expression giving the URL of the bundle file itself.
 * @param {string} outdir where the bundle is written
 * @param {string} base
 * @returns {import('esbuild').Plugin}
 */
function compiledTwinUrls(outdir, base) {
  return {
    name: 'compiled-twin-import-meta-url',
    setup(b) {
      b.onLoad({ filter: SOURCE_FILE }, async (args) => {
        const contents = readFileSync(args.path, 'utf8');
        const loader = args.path.endsWith('.tsx') ? 'tsx' : 'ts';
        if (args.path.includes('/node_modules/') || !contents.includes('import.meta.url')) return { contents, loader };
        const twin = relative(outdir, join(REPO_ROOT, 'dist', relative(REPO_ROOT, args.path))).replace(
          SOURCE_FILE,
          '.js',
        );
        // esbuild's define rewrites the expression only, never the same text inside a string.
        const { code } = await transform(contents, { loader, define: { 'import.meta.url': '__migTwinUrl' } });
        const header = `const __migTwinUrl = new URL(${JSON.stringify(twin)}, ${base}).href;\n`;
        return { contents: header + code, loader: 'js' };
      });
    },
  };
}

/**
 * The same `mig` entry as one CommonJS file, dist/cli/main.cjs (for the server, the agent and
 * audit), and the investigator's commands alone as another, dist/cli/investigator.cjs (every
 * other command but the console): bin/mig.js runs them through bin/code-cache.js, and V8 then
 * reuses the bytecode of an earlier run. The investigator's file leaves out the server's, agent's
 * and console's code: 1.66 MB instead of 2.33, a smaller cache to load, 2-4 ms sooner at every
 * start, 7-9 ms for a content hunt (doc/performance.md, session 13). Node 20 caches no ES module, and resolving, reading,
 * compiling and linking the ~45 ES modules of a hunt cost it 15-90 ms more than this at every
 * start (doc/performance.md, "Start-up, session 11"). Possible since Node 20.19, whose require()
 * loads ES-only packages (lowdb, mqtt's deps); not for Ink, whose top-level await require()
 * refuses: the console runs from the ES module bundle (bin/mig.js decides). Dynamic imports of
 * packages become require() (a vm.Script has no import()); zod and re2js are inlined, under each
 * file's own code cache (bundleCli emptied dist/cli/, old caches with it).
 */
async function bundleCliCommonJs() {
  for (const [entry, file] of [
    ['main.ts', CLI_COMMONJS],
    ['investigator-main.ts', INVESTIGATOR_COMMONJS],
  ])
    await bundleCommonJs(join(REPO_ROOT, 'bin', entry), join(REPO_ROOT, file));
}

/**
 * @param {string} entry
 * @param {string} outfile
 */
async function bundleCommonJs(entry, outfile) {
  const external = cliExternals();
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile,
    external,
    // ES semantics for code written as ES modules. An `import.meta.url` the twin rewrite leaves
    // (plain .js and .mjs sources) is this file's URL, as it is the chunk's in the ES bundle.
    banner: { js: "'use strict';\nconst __migBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__migBundleUrl' },
    supported: { 'dynamic-import': false },
    logLevel: 'warning',
    plugins: [zodEnglishOnly, compiledTwinUrls(dirname(outfile), '__migBundleUrl')],
  });
  writeAscii(outfile);
}

/**
 * `mig --help` prints the same text whatever the machine: the module list and commands, no
 * colour, no config. It is rendered here, by the bundle just built, into the file bin/mig.js
 * prints when dist/ is current, so the most common first command costs a file read, not the
 * ~75 ms of building every module's zod schemas (doc/performance.md, Start-up).
 */
function renderOverviewHelp() {
  const entry = JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist', 'cli', 'main.js')).href);
  const rendered = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { main } = await import(${entry}); process.exitCode = await main(['--help']);`,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  );
  if (rendered.status !== 0 || rendered.stdout === '') {
    console.error(`build: rendering \`mig --help\` failed: ${rendered.stderr}`);
    process.exit(1);
  }
  writeFileSync(join(REPO_ROOT, OVERVIEW_HELP), rendered.stdout);
}

/**
 * zod and re2js, the largest code a one-file hunt loads (two thirds of its JavaScript), each
 * bundled into one CommonJS file, dist/vendor/NAME.cjs, which the CLI loads through
 * bin/code-cache.js: V8 then reuses the bytecode of an earlier run instead of compiling them at
 * every start (Node 20 caches no ES module). The caches of the files replaced are removed.
 */
async function bundleCachedVendors() {
  mkdirSync(VENDOR_DIR, { recursive: true });
  for (const entry of readdirSync(VENDOR_DIR)) if (entry.includes('.v8-cache')) rmSync(join(VENDOR_DIR, entry));
  for (const name of CACHED_VENDORS) {
    await build({
      // The ES module entry (as the CLI bundle resolved it), so zod's locales can be left out.
      stdin: { contents: `export * from '${name}';`, resolveDir: REPO_ROOT, loader: 'js' },
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      outfile: join(VENDOR_DIR, `${name}.cjs`),
      logLevel: 'warning',
      plugins: [zodEnglishOnly],
    });
    writeAscii(join(VENDOR_DIR, `${name}.cjs`));
  }
}

/**
 * Writes `file` back as ASCII (scripts/ascii-escape.mjs), so bin/code-cache.js decodes it as
 * Latin-1, three times faster than through UTF-8.
 * @param {string} file
 */
function writeAscii(file) {
  const { text, kept } = escapeNonAscii(readFileSync(file, 'utf8'));
  writeFileSync(file, text);
  if (kept > 0)
    console.warn(
      `build: ${relative(REPO_ROOT, file)} keeps ${kept} non-ASCII characters in regular expressions or tagged templates, so it loads through UTF-8 (slower)`,
    );
}

/**
 * The ES module the CLI bundle gets for `import ... from 'zod'` (or 're2js'): the package's
 * exports, by name, from its CommonJS bundle loaded through the code cache.
 * @param {string} name
 * @returns {string}
 */
function vendorShim(name) {
  const file = join(VENDOR_DIR, `${name}.cjs`);
  const names = Object.keys(createRequire(import.meta.url)(file));
  return [
    `import { loadCommonJs } from ${JSON.stringify(join(REPO_ROOT, 'bin', 'code-cache.js'))};`,
    "import { fileURLToPath } from 'node:url';",
    // Relative to the chunk this lands in (dist/cli/), so dist/ can move as a whole.
    `const m = loadCommonJs(fileURLToPath(new URL('../vendor/${name}.cjs', import.meta.url))).exports;`,
    ...names.map((n, i) => `const e${i} = m[${JSON.stringify(n)}];`),
    `export { ${names.map((n, i) => `e${i} as ${JSON.stringify(n)}`).join(', ')} };`,
  ].join('\n');
}

/**
 * Writes the code caches of dist/vendor/ (the ES module bundle's zod and re2js) and of
 * dist/cli/investigator.cjs by running what users start most through each: a local hunt, by
 * name and content, on a one-file tree (bin/code-cache.js writes a missing cache at exit, with
 * every function that run compiled). Not a reason to fail the build: without it the first `mig`
 * run writes them. dist/cli/main.cjs gets its cache from the first server or agent that runs
 * from it, with what that process compiled.
 */
function warmCodeCaches() {
  const dir = mkdtempSync(join(tmpdir(), 'mig-build-warm-'));
  try {
    mkdirSync(join(dir, 'tree'));
    mkdirSync(join(dir, 'home'));
    writeFileSync(join(dir, 'tree', 'x'), 'one file\n');
    const entry = JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist', 'cli', 'main.js')).href);
    const codeCache = JSON.stringify(pathToFileURL(join(REPO_ROOT, 'bin', 'code-cache.js')).href);
    const commonJs = JSON.stringify(join(REPO_ROOT, INVESTIGATOR_COMMONJS));
    const argv = JSON.stringify([
      'file',
      '-t',
      'local',
      '-path',
      join(dir, 'tree'),
      '-name',
      '^x$',
      '-content',
      'o[n]e',
    ]);
    const loaders = [
      `const { main } = await import(${entry});`,
      `const { loadCommonJs } = await import(${codeCache}); const { main } = loadCommonJs(${commonJs}).exports;`,
    ];
    for (const load of loaders) {
      const warm = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `${load} process.exitCode = await main(${argv});`],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1', MIG_NO_GPG: '1', MIG_HOME: join(dir, 'home') },
        },
      );
      if (warm.status !== 0)
        console.error(`build: warming the code caches failed (the first run will): ${warm.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
