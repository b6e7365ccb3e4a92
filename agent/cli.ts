import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BaseError, UserError } from '../protocol/errors.js';
import { zodFlagProblems } from '../protocol/flag-problem.js';
import { loadAgentConfig, type AgentConfig } from './config.js';
import type { LogFn, LogLevel } from './log.js';
import type { StartAgentOptions } from './start.js';

const USAGE = `usage: mig agent --config FILE [--verbose]
       mig agent bundle -o FILE.mjs [--config FILE]    one self-contained agent file (mig agent bundle --help)
       mig agent install [--config FILE] [--bundle FILE] [--unit-dir DIR] [--dry-run]   systemd unit
       mig agent uninstall [--unit-dir DIR] [--dry-run]

Runs the endpoint agent: connects to the MQTT broker named in FILE, verifies every signed
action it receives (signatures, ACL, validity, target), runs the module and answers.
Stops cleanly on SIGINT or SIGTERM.

  --config FILE   agent config (JSON): brokerUrl, enrollmentSecret, investigators, dataDir, ...
  --verbose       debug logs too
  --help          this text`;

/** `mig agent` exits with this after a signed agentdestroy. */
export const DESTROYED_EXIT_CODE = 3;

const FlagsSchema = z.strictObject({
  config: z.string().min(1, 'expected a file path').optional().describe('agent config file'),
  verbose: z.boolean().default(false),
  help: z.boolean().default(false),
});

export interface AgentCliIo {
  stderr: Pick<NodeJS.WriteStream, 'write'>;
  /** Where SIGINT/SIGTERM come from; tests pass their own emitter. */
  signals: Pick<NodeJS.Process, 'once' | 'off'>;
}

/** How a single-file agent (agent/bundle/main.ts) runs the same command line. */
export interface EmbeddedAgent {
  usage: string;
  /** The config baked into the bundle, if any: then --config is optional and wins when given. */
  bakedConfig?: () => AgentConfig;
  start: StartAgentOptions;
}

const SUBCOMMANDS = new Set(['bundle', 'install', 'uninstall']);

/** `mig agent --config FILE`. Resolves with the exit code once the agent has stopped. */
export async function runAgentCli(
  argv: string[],
  io: AgentCliIo = { stderr: process.stderr, signals: process },
  embedded?: EmbeddedAgent,
): Promise<number> {
  if (embedded === undefined && argv[0] !== undefined && SUBCOMMANDS.has(argv[0])) {
    // Loaded only for these: esbuild and the unit writer are not the agent's business.
    const { runAgentToolCli } = await import('./bundle/cli.js');
    return runAgentToolCli(argv[0], argv.slice(1), io.stderr);
  }
  const usage = embedded?.usage ?? USAGE;
  let flags: z.infer<typeof FlagsSchema>;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean' } },
    });
    if (values.help === true) {
      io.stderr.write(`${usage}\n`);
      return 0;
    }
    if (values.config === undefined && embedded?.bakedConfig === undefined)
      throw new UserError('BAD_REQUEST', 'mig agent: --config FILE is required', 'see mig agent --help');
    const parsed = FlagsSchema.safeParse(values);
    if (!parsed.success)
      throw new UserError(
        'BAD_REQUEST',
        `mig agent: ${zodFlagProblems(parsed.error, values).join('; ')}`,
        'see mig agent --help',
      );
    flags = parsed.data;
  } catch (err) {
    io.stderr.write(`${formatError(err)}\n${usage}\n`);
    return 2;
  }
  const log = stderrLog(io.stderr, flags.verbose);
  try {
    const config =
      flags.config !== undefined ? await loadAgentConfig(flags.config) : (embedded?.bakedConfig ?? noConfig)();
    // The agent's code (MQTT, workers, modules) loads once a config is read: not for --help.
    // This process is the agent: V8 tuned for a process that mostly waits (v8-tuning.ts), before
    // the agent's code loads.
    (await import('./v8-tuning.js')).tuneV8ForAgent();
    const { startAgent } = await import('./start.js');
    const agent = await startAgent(config, { ...embedded?.start, log });
    const signal = await Promise.race([waitForSignal(io.signals), agent.destroyed.then(() => 'destroyed' as const)]);
    if (signal === 'destroyed') {
      // Exit code 3, so a service manager can be told not to restart a destroyed agent (systemd RestartPreventExitStatus=3).
      log('info', 'destroyed by a signed action: exiting');
      return DESTROYED_EXIT_CODE;
    }
    log('info', `${signal}: shutting down`);
    await agent.close();
    return 0;
  } catch (err) {
    io.stderr.write(`${formatError(err)}\n`);
    return 1;
  }
}

function noConfig(): never {
  throw new UserError('BAD_REQUEST', 'mig agent: --config FILE is required', 'see mig agent --help');
}

// Alike on purpose (duplicates): the server's twin (broker/cli.ts): the agent and the server are
// separate programs that import nothing of each other (test/architecture.test.ts), and four lines
// of signal handling are not worth a shared folder.
function waitForSignal(signals: AgentCliIo['signals']): Promise<string> {
  return new Promise((resolve) => {
    const on = (name: string) => (): void => {
      signals.off('SIGINT', onInt);
      signals.off('SIGTERM', onTerm);
      resolve(name);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    signals.once('SIGINT', onInt);
    signals.once('SIGTERM', onTerm);
  });
}

/** One line per message, ISO timestamp first, on stderr (stdout stays free for tooling). */
export function stderrLog(stderr: AgentCliIo['stderr'], isVerbose: boolean): LogFn {
  return (level: LogLevel, message: string) => {
    if (level === 'debug' && !isVerbose) return;
    stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
  };
}

function formatError(err: unknown): string {
  if (err instanceof UserError) return `error ${err.code}: ${err.message}${err.hint ? `\nhint: ${err.hint}` : ''}`;
  if (err instanceof BaseError) return `error ${err.code}: ${err.message}`;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}
