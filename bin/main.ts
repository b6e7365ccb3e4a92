// Composition root of the `mig` executable: the only place that wires the server, the agent and
// the investigator's console together (the layers themselves never import each other).
import { runAgentCli } from '../agent/cli.js';
import { runOperationsLocally } from '../agent/runner.js';
import { runServerCli } from '../broker/cli.js';
import { runInvestigatorCli } from '../console/cli/main.js';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      return runServerCli(rest);
    case 'agent':
      return runAgentCli(rest);
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
    default:
      return runInvestigatorCli(argv, {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
        now: () => new Date(),
        runLocal: (operations, opts) => runOperationsLocally(operations, opts),
      });
  }
}
