// scan-worker.mjs runs for its effects in a worker thread and exports nothing; this lets the
// single-file agent's entry (agent/bundle/main.ts) import it so esbuild bundles it.
export {};
