import type { ActionTemplate, RunnerConfig } from './config.js';
import { runJob, type JobDeps } from './job.js';
import { runnerEvent } from './outputs/ecs.js';
import type { OutputDispatcher } from './outputs/dispatcher.js';
import { missedRuns, schedule } from './schedule.js';
import type { RunnerState } from './state.js';

export interface RunnerDeps extends JobDeps {
  config: RunnerConfig;
  templates: ReadonlyMap<string, ActionTemplate>;
  state: RunnerState;
  outputs: OutputDispatcher;
  log(line: string): void;
}

/** One run, start to outputs; a failure is an event too (and the schedule goes on). */
export async function runOnce(deps: RunnerDeps, jobName: string, scheduledAt: Date): Promise<boolean> {
  const job = deps.config.jobs.find((j) => j.name === jobName);
  const template = deps.templates.get(jobName);
  if (job === undefined || template === undefined) throw new Error(`no job named ${jobName}`);
  deps.log(`job ${job.name}: run scheduled at ${scheduledAt.toISOString()}`);
  try {
    const { record, events } = await runJob(deps, job, template, scheduledAt);
    await deps.outputs.publish(events);
    await deps.state.recordRun(job.name, scheduledAt);
    const c = record.counters;
    deps.log(
      `job ${job.name}: action ${record.action.id} ${record.status}: ${c.targeted} targeted, ${c.success + c.failed} answered, ${c.found} found; ${events.length} events queued`,
    );
    return true;
  } catch (err) {
    const message = `job ${job.name}: the run scheduled at ${scheduledAt.toISOString()} failed: ${(err as Error).message}`;
    deps.log(message);
    await deps.outputs.publish([
      runnerEvent('run-failed', message, deps.now().toISOString(), {
        job: job.name,
        scheduledAt: scheduledAt.toISOString(),
      }),
    ]);
    return false;
  }
}

/**
 * Reports, for each job, the runs missed since its last recorded run (the runner was down),
 * as a log line and an output event; with catchUp "once", runs it once now.
 */
export async function reportMissedRuns(deps: RunnerDeps): Promise<string[]> {
  const toRun: string[] = [];
  const now = deps.now();
  for (const job of deps.config.jobs) {
    const last = deps.state.lastRun(job.name);
    if (last === undefined) continue;
    const missed = missedRuns(job.schedule, deps.config.timezone, last, now);
    if (missed.count === 0) continue;
    const message = `job ${job.name}: ${missed.count} scheduled run(s) missed between ${missed.first?.toISOString() ?? ''} and ${missed.last?.toISOString() ?? ''} (last run ${last.toISOString()}); ${job.catchUp === 'once' ? 'running once now' : 'not caught up (catchUp: skip)'}`;
    deps.log(message);
    await deps.outputs.publish([
      runnerEvent('runs-missed', message, now.toISOString(), {
        job: job.name,
        missed: missed.count,
        first: missed.first?.toISOString(),
        last: missed.last?.toISOString(),
        lastRun: last.toISOString(),
        catchUp: job.catchUp,
      }),
    ]);
    if (job.catchUp === 'once') toRun.push(job.name);
  }
  return toRun;
}

/** Starts every job's schedule (after reporting and catching up missed runs); stop() ends them. */
export async function startSchedules(deps: RunnerDeps): Promise<{ stop(): void }> {
  for (const name of await reportMissedRuns(deps)) await runOnce(deps, name, deps.now());
  const schedules = deps.config.jobs.map((job) =>
    schedule(
      job.schedule,
      deps.config.timezone,
      async (at) => {
        await runOnce(deps, job.name, at);
      },
      (at) =>
        deps.log(`job ${job.name}: the run due at ${at.toISOString()} was skipped: the previous one is still going`),
    ),
  );
  for (const job of deps.config.jobs)
    deps.log(
      `job ${job.name}: next run ${schedules[deps.config.jobs.indexOf(job)]?.next()?.toISOString() ?? 'never'} (${job.schedule}, ${deps.config.timezone})`,
    );
  return { stop: () => schedules.forEach((s) => s.stop()) };
}
