// @ts-check
/**
 * The YARA-X WebAssembly engine's bytes, read from the @virustotal/yara-x package in
 * node_modules. A file of its own so that a single-file agent's build (agent/bundle/build.ts)
 * can replace it with the same bytes embedded in the bundle, where no node_modules exists.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** @returns {Promise<Uint8Array<ArrayBuffer>>} */
export async function yaraWasmBytes() {
  const main = createRequire(import.meta.url).resolve('@virustotal/yara-x');
  return readFile(new URL('yara_x_js_bg.wasm', pathToFileURL(main)));
}
