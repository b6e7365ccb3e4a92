import { chmodSync, existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import type { Plugin } from 'esbuild';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../protocol/errors.js';
import { loadAgentConfig } from '../config.js';

/**
 * `mig agent bundle`: esbuild packs agent/bundle/main.ts and everything it reaches (zod, mqtt,
 * openpgp, the modules) into ONE ES module that runs with plain `node FILE.mjs`: no repository,
 * no node_modules. ESM because the module worker awaits at its top level, which CommonJS cannot;
 * `.mjs` because a host's `node` runs a `.js` file outside any package as CommonJS.
 */

export interface BundleOptions {
  outFile: string;
  /** An agent config file to validate and bake in. */
  configFile?: string;
  /** One executable (Node's SEA, agent/bundle/sea.ts) instead of a .mjs file for `node`. */
  sea?: boolean;
}

export interface BundleReport {
  outFile: string;
  bytes: number;
  /** 0o600 with a baked config (it holds the enrollment secret), 0o755 without. */
  mode: number;
  hasBakedConfig: boolean;
  isSea: boolean;
}

/** The repository root: this file is agent/bundle/build.{ts,js}, under dist/ once compiled. */
function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = resolve(here, '..', '..');
  return basename(up) === 'dist' ? dirname(up) : up;
}

export async function buildAgentBundle(opts: BundleOptions): Promise<BundleReport> {
  const isSea = opts.sea === true;
  if (isSea && opts.outFile.endsWith('.mjs'))
    throw new UserError(
      'BAD_REQUEST',
      `mig agent bundle --sea: -o: '${opts.outFile}' ends in .mjs`,
      'name the executable without .mjs (mig-agent): it is a program, not a script for node',
    );
  if (!isSea && !opts.outFile.endsWith('.mjs')) {
    throw new UserError(
      'BAD_REQUEST',
      `mig agent bundle: -o: '${opts.outFile}' does not end in .mjs`,
      'name it FILE.mjs: node runs a .js file outside a package as CommonJS, and the bundle is an ES module',
    );
  }
  const baked = opts.configFile === undefined ? undefined : await bakeConfig(opts.configFile);
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new UserError(
      'CONFIG_INVALID',
      `mig agent bundle: esbuild cannot be loaded (${(err as Error).message})`,
      'run `npm ci` in the repository (esbuild is a dev dependency)',
      { cause: err },
    );
  }
  const root = repoRoot();
  const yaraWasm = yaraWasmPath(root);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  const outFile = resolve(opts.outFile);
  // Written beside the target, then renamed: a running agent's file is replaced whole, never half-written.
  const temp = `${outFile}.${process.pid}.tmp.mjs`;
  try {
    await esbuild.build({
      entryPoints: [join(root, 'agent', 'bundle', 'main.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      outfile: temp,
      // CommonJS dependencies inside an ES module still call require() for Node built-ins.
      banner: {
        js: "#!/usr/bin/env node\nimport { createRequire as __migCreateRequire } from 'node:module';\nconst require = __migCreateRequire(import.meta.url);",
      },
      define: {
        MIG_BAKED_CONFIG: baked === undefined ? 'undefined' : JSON.stringify(baked),
        MIG_BUNDLE_VERSION: JSON.stringify(version),
      },
      legalComments: 'eof',
      logLevel: 'silent',
      plugins: [embedYaraWasm(yaraWasm)],
    });
    const mode = baked === undefined ? 0o755 : 0o600;
    if (isSea) return await wrapAsExecutable(temp, outFile, baked !== undefined);
    chmodSync(temp, mode);
    renameSync(temp, outFile);
    return { outFile, bytes: statSync(outFile).size, mode, hasBakedConfig: baked !== undefined, isSea };
  } catch (err) {
    rmSync(temp, { force: true });
    if (err instanceof UserError) throw err;
    throw new UserError(
      'INTERNAL',
      `mig agent bundle: esbuild failed: ${(err as Error).message}`,
      'see the message above',
      { cause: err },
    );
  }
}

/** The bundle at `temp` inside one executable; a baked config's secret makes it 0700 (it must still run). */
async function wrapAsExecutable(temp: string, outFile: string, hasBakedConfig: boolean): Promise<BundleReport> {
  const mode = hasBakedConfig ? 0o700 : 0o755;
  try {
    const { buildSeaExecutable } = await import('./sea.js');
    const exe = await buildSeaExecutable(temp, outFile, mode);
    return { ...exe, mode, hasBakedConfig, isSea: true };
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('INTERNAL', `mig agent bundle --sea: ${(err as Error).message}`, undefined, { cause: err });
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * yara's WebAssembly engine travels inside the file: modules/yara/wasm-source.mjs, which reads it
 * from node_modules, becomes the bytes embedded by esbuild's binary loader (base64), compressed
 * with brotli first: 5.9 MB of wasm is 1.6 MB packed, and every thread started from the bundle
 * parses the whole file, while only the thread that runs yara unpacks it, once (~80 ms), before
 * compiling it for its scan workers (modules/yara/session.ts yaraWasm).
 */
function embedYaraWasm(wasmPath: string): Plugin {
  return {
    name: 'mig-embed-yara-wasm',
    setup(b) {
      b.onResolve({ filter: /^mig:yara-wasm$/ }, (args) => ({ path: args.path, namespace: 'mig-yara-wasm' }));
      b.onLoad({ filter: /.*/, namespace: 'mig-yara-wasm' }, () => {
        const wasm = readFileSync(wasmPath);
        const packed = brotliCompressSync(wasm, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: wasm.length },
        });
        return { contents: packed, loader: 'binary' };
      });
      b.onLoad({ filter: /[\\/]modules[\\/]yara[\\/]wasm-source\.mjs$/ }, () => ({
        contents: [
          "import packed from 'mig:yara-wasm';",
          "import { brotliDecompressSync } from 'node:zlib';",
          'export async function yaraWasmBytes() { return brotliDecompressSync(packed); }',
        ].join('\n'),
        loader: 'js',
      }));
    },
  };
}

/** The YARA-X engine in node_modules, where `npm ci` put it beside its JavaScript. */
function yaraWasmPath(root: string): string {
  let entry: string;
  try {
    entry = createRequire(join(root, 'package.json')).resolve('@virustotal/yara-x');
  } catch (err) {
    throw new UserError(
      'CONFIG_INVALID',
      `mig agent bundle: @virustotal/yara-x cannot be found (${(err as Error).message})`,
      'run `npm ci` in the repository',
      { cause: err },
    );
  }
  const wasm = join(dirname(entry), 'yara_x_js_bg.wasm');
  if (!existsSync(wasm))
    throw new UserError('CONFIG_INVALID', `mig agent bundle: ${wasm} is missing`, 'run `npm ci` in the repository');
  return wasm;
}

/**
 * Validates the config with the agent's own loader (every field, every key file readable), then
 * returns the JSON text to bake: the file as written, with key files inlined as armored text
 * (the target host has none of this host's files). TLS paths and dataDir stay paths: they name
 * files on the target host.
 */
async function bakeConfig(configFile: string): Promise<string> {
  await loadAgentConfig(configFile);
  const raw = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
  const base = dirname(resolve(configFile));
  const inline = (keys: unknown): unknown =>
    Array.isArray(keys)
      ? keys.map((k: Record<string, unknown>) => {
          if (typeof k.publicKeyFile !== 'string') return k;
          const { publicKeyFile, ...rest } = k;
          return { ...rest, publicKey: readFileSync(resolve(base, publicKeyFile), 'utf8') };
        })
      : keys;
  raw.investigators = inline(raw.investigators);
  if (typeof raw.admins === 'object' && raw.admins !== null) {
    const admins = raw.admins as Record<string, unknown>;
    raw.admins = { ...admins, keys: inline(admins.keys) };
  }
  return JSON.stringify(raw);
}
