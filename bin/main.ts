// Composition root of the `mig` executable: the only place that wires the server, the agent and
// the investigator's console together (the layers themselves never import each other).
// Every layer is imported when its command runs, not before: `mig --help` must not pay for
// Aedes, the agent or Ink (doc/performance.md, Start-up).

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server': {
      const { runServerCli } = await import('../broker/cli.js');
      return runServerCli(rest);
    }
    case 'agent': {
      const { runAgentCli } = await import('../agent/cli.js');
      return runAgentCli(rest);
    }
    case 'audit': {
      // A server-side tool that reads the data dir: loaded only when asked for.
      const { runAuditCli } = await import('../broker/audit/cli.js');
      return runAuditCli(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    }
    case 'console':
    case 'demo': {
      const { runConsoleCommand } = await import('./console-command.js');
      return runConsoleCommand(command, rest);
    }
    default: {
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
  }
}
