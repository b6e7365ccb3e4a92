// @ts-check
/**
 * The YARA-X WebAssembly engine's bytes, read from the @virustotal/yara-x package in
 * node_modules. A file of its own so that a single-file agent's build (agent/bundle/build.ts)
 * can replace it with the same bytes embedded in the bundle, where no node_modules exists.
 */
import { readFileSync } from 'node:fs';

/** @returns {Uint8Array} */
export function yaraWasmBytes() {
  return readFileSync(new URL('yara_x_js_bg.wasm', import.meta.resolve('@virustotal/yara-x')));
}
