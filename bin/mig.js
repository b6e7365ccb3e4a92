#!/usr/bin/env node
// The `mig` executable. Node 20 cannot run TypeScript, so register tsx's loader (a dependency,
// pure JS + esbuild's in-package binary) and hand over to the composition root.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// Our tsconfig, not the one of whatever directory `mig` runs in (tsx looks in the cwd): without
// its `jsx: react-jsx` the console fails with "React is not defined".
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
