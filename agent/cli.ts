import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BaseError, UserError } from '../protocol/errors.js';
import { zodFlagProblems } from '../protocol/flag-problem.js';
import { loadAgentConfig } from './config.js';
import type { LogFn, LogLevel } from './log.js';

const USAGE = `usage: mig agent --config FILE [--verbose]

Runs the endpoint agent: connects to the MQTT broker named in FILE, verifies every signed
action it receives (signatures, ACL, validity, target), runs the module and answers.
Stops cleanly on SIGINT or SIGTERM.

  --config FILE   agent config (JSON): brokerUrl, enrollmentSecret, investigators, dataDir, ...
  --verbose       debug logs too
  --help          this text`;

/** `mig agent` exits with this after a signed agentdestroy. */
export const DESTROYED_EXIT_CODE = 3;

const FlagsSchema = z.strictObject({
  config: z.string().min(1, 'expected a file path').describe('agent config file'),
  verbose: z.boolean().default(false),
  help: z.boolean().default(false),
});

export interface AgentCliIo {
  stderr: Pick<NodeJS.WriteStream, 'write'>;
  /** Where SIGINT/SIGTERM come from; tests pass their own emitter. */
  signals: Pick<NodeJS.Process, 'once' | 'off'>;
}

/** `mig agent --config FILE`. Resolves with the exit code once the agent has stopped. */
export async function runAgentCli(argv: string[], io: AgentCliIo = { stderr: process.stderr, signals: process }): Promise<number> {
  let flags: z.infer<typeof FlagsSchema>;
  try {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean' } } });
    if (values.help === true) {
      io.stderr.write(`${USAGE}\n`);
      return 0;
    }
    if (values.config === undefined) throw new UserError('BAD_REQUEST', 'mig agent: --config FILE is required', 'see mig agent --help');
    const parsed = FlagsSchema.safeParse(values);
    if (!parsed.success) throw new UserError('BAD_REQUEST', `mig agent: ${zodFlagProblems(parsed.error, values).join('; ')}`, 'see mig agent --help');
    flags = parsed.data;
  } catch (err) {
    io.stderr.write(`${formatError(err)}\n${USAGE}\n`);
    return 2;
  }
  const log = stderrLog(io.stderr, flags.verbose);
  try {
    const config = await loadAgentConfig(flags.config);
    // The agent's code (MQTT, workers, modules) loads once a config is read: not for --help.
    const { startAgent } = await import('./start.js');
    const agent = await startAgent(config, { log });
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
