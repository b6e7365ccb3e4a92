import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../../protocol/errors.js';
import { loadRunnerConfig } from '../runner/config.js';
import { OutputDispatcher } from '../runner/outputs/dispatcher.js';
import { ndjsonSink, syslogSink, webhookSink, type Sink } from '../runner/outputs/sinks.js';
import type { OutputConfig } from '../runner/outputs/config.js';
import { runOnce, startSchedules, type RunnerDeps } from '../runner/runner.js';
import { RunnerState } from '../runner/state.js';
import { sleep } from '../services/events.js';
import { EXIT, type CliContext } from './context.js';
import { parseCommand } from './subcommand.js';

const RunnerFlags = z.object({
  config: z
    .string()
    .min(1)
    .describe('the runner config: jobs (cron schedule + action template) and outputs (see doc/operations.md)'),
  once: z.string().min(1).optional().describe('run this job now, deliver its outputs, and exit (no schedule)'),
  check: z.boolean().default(false).describe("check the config and templates, print each job's next run, and exit"),
  'drain-seconds': z.coerce
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(30)
    .describe(
      'at exit, how long to wait for outputs to deliver what is queued (the rest waits on disk for the next start)',
    ),
});

async function readSecret(path: string, what: string): Promise<string> {
  try {
    const secret = (await readFile(path, 'utf8')).split('\n')[0]?.trim() ?? '';
    if (secret.length < 16) throw new Error('expected a secret of at least 16 characters on its first line');
    return secret;
  } catch (err) {
    throw new UserError('CONFIG_INVALID', `${what} ${path}: ${(err as Error).message}`);
  }
}

async function sinkOf(out: OutputConfig, now: () => Date): Promise<Sink> {
  if (out.type === 'ndjson') return ndjsonSink(out);
  if (out.type === 'syslog')
    return syslogSink({ ...out, ...(out.caFile === undefined ? {} : { ca: await readFile(out.caFile, 'utf8') }) }, now);
  return webhookSink(out, await readSecret(out.secretFile, 'webhook secretFile'), now);
}

/**
 * `mig runner --config FILE`: runs action templates on cron schedules, signed with this
 * MIG_HOME's key (a robot investigator the agents' ACL weighs for the modules it needs only),
 * and sends every finished action, found row and compliance item to the configured outputs.
 */
export async function runRunner(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(
    ctx,
    'runner --config FILE',
    'run action templates on schedules and send results to outputs',
    RunnerFlags,
    {},
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  cmd.none();
  const flags = cmd.values;
  const { config, templates } = await loadRunnerConfig(flags.config);
  if (flags.once !== undefined && !templates.has(flags.once)) {
    throw new UserError(
      'BAD_REQUEST',
      `--once: no job named ${JSON.stringify(flags.once)}`,
      `jobs: ${config.jobs.map((j) => j.name).join(', ')}`,
    );
  }
  const now = (): Date => ctx.now();
  const log = (line: string): void => ctx.say(`runner: ${line}`);
  if (flags.check) {
    const { Cron } = await import('croner');
    for (const job of config.jobs)
      ctx.stdout.write(
        `${job.name}: ${job.schedule} (${config.timezone}) next ${new Cron(job.schedule, { paused: true, timezone: config.timezone }).nextRun()?.toISOString() ?? 'never'}, ${
          templates
            .get(job.name)
            ?.operations.map((o) => o.module)
            .join('+') ?? ''
        }\n`,
      );
    ctx.stdout.write(`outputs: ${config.outputs.map((o) => o.type).join(', ') || 'none'}\n`);
    return EXIT.ok;
  }
  const sinks = await Promise.all(config.outputs.map((o) => sinkOf(o, now)));
  const outputs = await OutputDispatcher.open(sinks, { stateDir: config.stateDir, log });
  const deps: RunnerDeps = {
    config,
    templates,
    state: await RunnerState.open(config.stateDir),
    outputs,
    client: await ctx.client({ isInterruptible: false }),
    signer: await ctx.signer(),
    modules: ctx.modules,
    now,
    log,
    pollMs: 1_000,
    sleep: (ms) => sleep(ms),
  };
  let ok = true;
  try {
    if (flags.once !== undefined) ok = await runOnce(deps, flags.once, now());
    else {
      const schedules = await startSchedules(deps);
      await new Promise<void>((resolve) =>
        ctx.interrupt.aborted ? resolve() : ctx.interrupt.addEventListener('abort', () => resolve(), { once: true }),
      );
      schedules.stop();
      log('stopping');
    }
  } finally {
    if (!(await outputs.drained(flags['drain-seconds'] * 1000)))
      log(
        `outputs not all delivered within ${flags['drain-seconds']}s: the rest stays queued in ${config.stateDir} for the next start`,
      );
    await outputs.close();
  }
  return ok ? EXIT.ok : EXIT.error;
}
