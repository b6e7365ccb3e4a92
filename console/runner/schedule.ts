import { Cron } from 'croner';

/** Runs a job should have had after `lastRun` and up to `now`, counted (at most `cap`). */
export function missedRuns(
  pattern: string,
  timezone: string,
  lastRun: Date,
  now: Date,
  cap = 10_000,
): { count: number; first?: Date; last?: Date } {
  const cron = new Cron(pattern, { paused: true, timezone });
  let count = 0;
  let first: Date | undefined;
  let last: Date | undefined;
  let at: Date | null = cron.nextRun(lastRun);
  while (at !== null && at.getTime() <= now.getTime() && count < cap) {
    count += 1;
    first ??= at;
    last = at;
    at = cron.nextRun(at);
  }
  return { count, ...(first === undefined ? {} : { first }), ...(last === undefined ? {} : { last }) };
}

/** A started schedule: `fire` gets each run's scheduled time; runs never overlap (a late one is skipped and said). */
export function schedule(
  pattern: string,
  timezone: string,
  fire: (at: Date) => Promise<void>,
  onOverrun: (at: Date) => void,
): { stop(): void; next(): Date | null } {
  const cron = new Cron(
    pattern,
    { timezone, protect: (job) => onOverrun(job.currentRun() ?? new Date()) },
    async (job: Cron) => {
      await fire(job.currentRun() ?? new Date());
    },
  );
  return { stop: () => cron.stop(), next: () => cron.nextRun() };
}
