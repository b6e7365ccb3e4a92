#!/usr/bin/env node
// The `mig` executable. Node 20 cannot run TypeScript, so register tsx's loader (a dependency,
// pure JS + esbuild's in-package binary) and hand over to the composition root.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
