#!/usr/bin/env node
// The `mig` executable. Runs the compiled JavaScript in dist/ (built by `npm ci` through the
// `prepare` script, or `npm run build`): starting from JavaScript costs tens of milliseconds,
// compiling TypeScript at every start cost a second (doc/performance.md, Start-up).
//
// In a dev checkout whose sources changed since the last build, dist/ is not run: it would
// silently be yesterday's code. The sources run through tsx instead (a dev dependency), with a
// one-line notice when a person is watching stderr. Rebuilding here instead would make the
// next command wait tens of seconds and race with a second `mig` started meanwhile.
import { fileURLToPath } from 'node:url';
import { distIsFresh } from './dist-state.js';

/** @type {(argv: string[]) => Promise<number>} */
let main;
if (distIsFresh()) {
  ({ main } = await import('../dist/bin/main.js'));
} else {
  main = await sourceMain();
}
process.exitCode = await main(process.argv.slice(2));

/** @returns {Promise<(argv: string[]) => Promise<number>>} */
async function sourceMain() {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      'mig: dist/ is missing or older than the sources, and tsx (a dev dependency) is not installed: run `npm run build`\n',
    );
    process.exit(2);
  }
  if (process.stderr.isTTY)
    process.stderr.write(
      'mig: sources changed since the last build, running them through tsx (slow start; `npm run build` compiles them)\n',
    );
  // Our tsconfig, not the one of whatever directory `mig` runs in (tsx looks in the cwd): without
  // its `jsx: react-jsx` the console fails with "React is not defined".
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  const { main: fromSource } = await import('./main.ts');
  return fromSource;
}
