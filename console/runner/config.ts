import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { OperationSchema } from '../../protocol/action.js';
import { UserError } from '../../protocol/errors.js';
import { parseExpiry } from '../../protocol/limits.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { OutputSchema } from './outputs/config.js';

const cronProblem = (pattern: string): string | undefined => {
  try {
    new Cron(pattern, { paused: true });
    return undefined;
  } catch (err) {
    return `not a cron pattern: ${(err as Error).message}`;
  }
};

const JobSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected 1-64 letters, digits, _ . - (it names state files)'),
  schedule: z
    .string()
    .superRefine((p, ctx) => {
      const problem = cronProblem(p);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('cron pattern (5 fields, or 6 with seconds first), in timezone'),
  action: z
    .string()
    .min(1)
    .describe(
      'action template file: {name?, target?, operations} (an action file works: id, window and signatures are replaced)',
    ),
  target: z.string().min(1).max(4096).optional().describe("overrides the template's target"),
  expiry: z
    .string()
    .default('1h')
    .superRefine((t, ctx) => {
      const e = parseExpiry(t);
      if (!e.ok) ctx.addIssue({ code: 'custom', message: e.expected });
    }),
  /** After downtime: run once at start for the runs missed (default), or skip them (still reported). */
  catchUp: z.enum(['once', 'skip']).default('once'),
});

export const RunnerConfigSchema = z.strictObject({
  stateDir: z.string().min(1).describe('where run times and output queues are kept'),
  timezone: z.string().default('UTC'),
  jobs: z
    .array(JobSchema)
    .min(1)
    .max(256)
    .refine((jobs) => new Set(jobs.map((j) => j.name)).size === jobs.length, 'job names must be distinct'),
  outputs: z.array(OutputSchema).max(16).default([]),
});
export type RunnerConfig = z.output<typeof RunnerConfigSchema>;
export type JobConfig = RunnerConfig['jobs'][number];

export const ActionTemplateSchema = z.looseObject({
  name: z.string().min(1).max(256).optional(),
  target: z.string().min(1).max(4096).optional(),
  operations: z.array(OperationSchema).min(1),
});
export type ActionTemplate = z.output<typeof ActionTemplateSchema>;

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError('CONFIG_INVALID', `cannot read ${what} ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError('CONFIG_INVALID', `${what} ${path} is not JSON: ${(err as Error).message}`);
  }
}

/** The config with every relative path made absolute against the config file's folder. */
export async function loadRunnerConfig(
  path: string,
): Promise<{ config: RunnerConfig; templates: Map<string, ActionTemplate> }> {
  const parsed = RunnerConfigSchema.safeParse(await readJson(path, 'runner config'));
  if (!parsed.success)
    throw new UserError('CONFIG_INVALID', `${path}: ${describeIssues(parsed.error)}`, 'see doc/operations.md');
  const base = dirname(resolve(path));
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const config = parsed.data;
  config.stateDir = abs(config.stateDir);
  for (const job of config.jobs) job.action = abs(job.action);
  for (const out of config.outputs) {
    if (out.type === 'ndjson') out.path = abs(out.path);
    if (out.type === 'webhook') out.secretFile = abs(out.secretFile);
    if (out.type === 'syslog' && out.caFile !== undefined) out.caFile = abs(out.caFile);
  }
  const templates = new Map<string, ActionTemplate>();
  for (const job of config.jobs) {
    const t = ActionTemplateSchema.safeParse(await readJson(job.action, `job ${job.name}'s action`));
    if (!t.success) throw new UserError('CONFIG_INVALID', `job ${job.name}: ${job.action}: ${describeIssues(t.error)}`);
    templates.set(job.name, t.data);
  }
  return { config, templates };
}
