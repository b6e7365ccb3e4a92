// Types for wasm-source.mjs (plain JavaScript so the agent bundle's build can swap it).
export function yaraWasmBytes(): Promise<Uint8Array<ArrayBuffer>>;
