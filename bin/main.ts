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
      // Its own entry: the CommonJS file the investigator's commands run from then holds none
      // of the server's, agent's or console's code (scripts/build.mjs, bin/cli-bundle.js).
      const { main: investigatorMain } = await import('./investigator-main.js');
      return investigatorMain(argv);
    }
  }
}
