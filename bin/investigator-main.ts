// The investigator's commands: every `mig` command but server, agent, audit, console and demo
// (bin/main.ts hands them here). An entry of its own so that the CommonJS file they run from,
// dist/cli/investigator.cjs, holds none of the server's, agent's or console's code: a smaller
// file and code cache to load at every start: 2-4 ms sooner on a one-file hunt, 7-9 ms on a
// content hunt (doc/performance.md, session 13; scripts/build.mjs builds it, bin/cli-bundle.js
// picks it).

export async function main(argv: string[]): Promise<number> {
  // One-shot: zod's JIT writes and compiles a parser (new Function) for each object schema
  // on its first parse, which pays off after ~25k parses of it; a hunt parses its few schemas
  // once or a few hundred times (~25 ms of CPU saved on a one-file hunt, ~1 µs more per
  // result row past that; doc/performance.md, "Start-up, session 6"). Read when a schema is
  // built, so set before any spec loads; the server and agents, long-running, keep the JIT.
  const { z } = await import('zod');
  z.config({ jitless: true });
  const { runInvestigatorCli } = await import('../console/cli/main.js');
  return runInvestigatorCli(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
    runLocal: async (operations, opts) => {
      const { runOperationsLocally } = await import('../agent/runner.js');
      return runOperationsLocally(operations, opts);
    },
  });
}
