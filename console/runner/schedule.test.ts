import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RunnerConfigSchema } from './config.js';
import { OutputDispatcher } from './outputs/dispatcher.js';
import { ndjsonSink } from './outputs/sinks.js';
import { reportMissedRuns, type RunnerDeps } from './runner.js';
import { missedRuns } from './schedule.js';
import { RunnerState } from './state.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-runner-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('counts the runs a schedule had between the last run and now', () => {
  const weekly = missedRuns('0 3 * * 1', 'UTC', new Date('2026-11-02T03:00:00Z'), new Date('2026-11-24T12:00:00Z'));
  expect(weekly).toEqual({ count: 3, first: new Date('2026-11-09T03:00:00Z'), last: new Date('2026-11-23T03:00:00Z') });
  expect(missedRuns('0 3 * * 1', 'UTC', new Date('2026-11-23T03:00:00Z'), new Date('2026-11-24T12:00:00Z')).count).toBe(
    0,
  );
  expect(
    missedRuns('*/10 * * * * *', 'UTC', new Date('2026-11-23T03:00:00Z'), new Date('2026-12-23T03:00:00Z'), 50).count,
  ).toBe(50);
});

it('reports missed runs to the outputs (never silently) and says which it catches up', async () => {
  const config = RunnerConfigSchema.parse({
    stateDir: dir,
    jobs: [
      { name: 'weekly', schedule: '0 3 * * 1', action: 'a.json' },
      { name: 'hourly', schedule: '0 * * * *', action: 'b.json', catchUp: 'skip' },
      { name: 'new', schedule: '0 * * * *', action: 'c.json' },
    ],
  });
  const state = await RunnerState.open(dir);
  await state.recordRun('weekly', new Date('2026-11-16T03:00:00Z'));
  await state.recordRun('hourly', new Date('2026-11-24T09:00:00Z'));
  const path = join(dir, 'events.ndjson');
  const outputs = await OutputDispatcher.open([ndjsonSink({ type: 'ndjson', path, maxBytes: 1 << 20, keep: 1 })], {
    stateDir: dir,
    log: () => undefined,
  });
  const lines: string[] = [];
  const deps = {
    config,
    templates: new Map(),
    state: await RunnerState.open(dir),
    outputs,
    log: (l: string) => lines.push(l),
    now: () => new Date('2026-11-24T12:30:00Z'),
  } as unknown as RunnerDeps;
  expect(await reportMissedRuns(deps)).toEqual(['weekly']);
  expect(await outputs.drained(5_000)).toBe(true);
  await outputs.close();
  expect(lines).toEqual([
    'job weekly: 1 scheduled run(s) missed between 2026-11-23T03:00:00.000Z and 2026-11-23T03:00:00.000Z (last run 2026-11-16T03:00:00.000Z); running once now',
    'job hourly: 3 scheduled run(s) missed between 2026-11-24T10:00:00.000Z and 2026-11-24T12:00:00.000Z (last run 2026-11-24T09:00:00.000Z); not caught up (catchUp: skip)',
  ]);
  const events = (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: { action: string }; mig: { runner: { job: string; missed: number } } });
  expect(events.map((e) => [e.event.action, e.mig.runner.job, e.mig.runner.missed])).toEqual([
    ['runs-missed', 'weekly', 1],
    ['runs-missed', 'hourly', 3],
  ]);
});

it('refuses a bad config with the field and what was expected', () => {
  const bad = RunnerConfigSchema.safeParse({
    stateDir: dir,
    jobs: [{ name: 'x', schedule: 'every monday', action: 'a.json', expiry: '9d' }],
    outputs: [{ type: 'syslog', url: 'http://x' }],
  });
  expect(bad.success).toBe(false);
  const text = JSON.stringify(bad.error?.issues.map((i) => [i.path.join('.'), i.message]));
  expect(text).toMatch(/jobs.0.schedule.*not a cron pattern/);
  expect(text).toMatch(/jobs.0.expiry/);
  expect(text).toMatch(/outputs.0.url.*expected udp:\/\/HOST:PORT/);
});
