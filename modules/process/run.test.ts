import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOperation } from '../../test/helpers/modules/agent-side.js';
import { collectRows, recordingContext, type Recording } from '../../test/helpers/modules/recording.js';
import { runProcess } from './run.js';
import { processModule, processParams } from './spec.js';
import { makeProcTree, removeTree } from '../../test/helpers/modules/process.js';

/**
 * Name matching, refusals and reporting over a fake /proc. Fake pids are above PID_MAX_LIMIT:
 * a signal sent to one by mistake reaches nothing (ESRCH), and says so.
 */
const SELF = process.pid;
let root: string;

beforeEach(() => {
  root = makeProcTree([
    { pid: 1, comm: 'systemd', cmdline: '/sbin/init\0splash\0' },
    { pid: SELF, comm: 'node', cmdline: '/usr/bin/mig-agent\0--config\0/etc/mig/agent.json\0' },
    { pid: 5_000_001, comm: 'kinsing', cmdline: '/tmp/kinsing\0--pool\0stratum+tcp://x\0' },
    { pid: 5_000_002, comm: 'kworker/0:1', cmdline: '' },
    { pid: 5_000_003, comm: 'chromium-browse', cmdline: '/usr/lib/chromium/chromium-browser\0' },
    { pid: 5_000_004, comm: 'evil) S 1 (x', cmdline: './evil\0' },
  ]);
});
afterEach(() => removeTree(root));

/** Parses like the agent, except that fake pids (past the schema's limit on purpose) are put back. */
function parse(input: { pids?: number[] } & Record<string, unknown>) {
  const parsed = processParams.parse({ ...input, pids: input.pids?.map(() => 2) });
  if (input.pids !== undefined) parsed.pids = input.pids;
  return parsed;
}

async function run(input: { pids?: number[] } & Record<string, unknown>): Promise<{ rows: unknown[]; rec: Recording }> {
  const rec = recordingContext(root);
  const rows: unknown[] = [];
  for await (const row of runProcess(parse(input), rec.ctx)) rows.push(row);
  return { rows, rec };
}

const row = (pid: number, name: string, extra: Record<string, unknown> = {}) => ({
  pid,
  name,
  signal: 'TERM',
  isKilled: false,
  isDryRun: true,
  ...extra,
});

describe('runProcess over a fake /proc', () => {
  it.each([
    { name: 'by comm', input: { names: ['^kinsing$'], dryrun: true }, want: [row(5_000_001, 'kinsing')] },
    {
      name: 'by full argv[0]',
      input: { names: ['^/usr/lib/chromium/chromium-browser$'], dryrun: true },
      want: [row(5_000_003, 'chromium-browse')],
    },
    {
      name: 'by argv[0] base name past the 15-char comm',
      input: { names: ['^chromium-browser$'], dryrun: true },
      want: [row(5_000_003, 'chromium-browse')],
    },
    {
      name: 'a comm with ) and spaces',
      input: { names: ['^evil'], dryrun: true },
      want: [row(5_000_004, 'evil) S 1 (x')],
    },
    { name: 'kernel threads are not matched', input: { names: ['^kworker'], dryrun: true }, want: [] },
    { name: 'nothing matches', input: { names: ['^sshd$'], dryrun: true }, want: [] },
    {
      name: 'pids first, then names, each process once',
      input: { pids: [5_000_003, 5_000_001], names: ['^kinsing$', 'kin'], signal: 'KILL', dryrun: true },
      want: [row(5_000_003, 'chromium-browse', { signal: 'KILL' }), row(5_000_001, 'kinsing', { signal: 'KILL' })],
    },
    {
      name: 'a pid that does not exist',
      input: { pids: [4_000_000], dryrun: true },
      want: [row(4_000_000, '', { error: 'no such process' })],
    },
    {
      name: 'pid 1 and the agent, matched by name, are refused for real too',
      input: { names: ['^(/sbin/init|mig-agent)$'] },
      want: [
        row(1, 'systemd', {
          isDryRun: false,
          error: 'refused: pid 1 (init) is never signalled, it would take the host down',
        }),
        row(SELF, 'node', { isDryRun: false, error: 'refused: this is the agent itself' }),
      ],
    },
    {
      name: 'the agent by pid',
      input: { pids: [SELF], signal: 'KILL' },
      want: [row(SELF, 'node', { signal: 'KILL', isDryRun: false, error: 'refused: this is the agent itself' })],
    },
    {
      name: 'a listed process that is not really running reports the failed kill',
      input: { pids: [5_000_001] },
      want: [row(5_000_001, 'kinsing', { isDryRun: false, error: 'no such process (it exited)' })],
    },
  ])('$name', async ({ input, want }) => {
    const { rows, rec } = await run(input);
    expect(rows).toEqual(want);
    // Every row, dry or refused, is journaled.
    expect(rec.journal).toEqual(want.map((w) => ({ op: 'signal', ...w })));
  });

  it('counts what it did', async () => {
    const { rec } = await run({ names: ['^kinsing$', '^/sbin/init$'], dryrun: true });
    expect(rec.stats).toMatchObject({ wouldSignal: 1, notSignalled: 1 });
    expect(rec.stats.processesRead).toBeGreaterThanOrEqual(5);
  });

  it('stops when aborted', async () => {
    const rec = recordingContext(root);
    rec.controller.abort();
    expect(await collectRows(runProcess, processParams, { names: ['.'], dryrun: true }, rec)).toEqual([]);
  });

  it('rows pass the runner: result schema, privacy filter, journal stamped with the module', async () => {
    const journal: Record<string, unknown>[] = [];
    const outcome = await runOperation(
      processModule,
      runProcess,
      processParams.parse({ names: ['^kinsing$'], dryrun: true }),
      {
        root,
        isPrivacyMode: true,
        timeoutMs: 10_000,
        journal: (entry) => journal.push(entry),
      },
    );
    expect(outcome.status).toBe('success');
    expect(outcome.result.rows).toEqual([row(5_000_001, 'kinsing')]);
    expect(outcome.result.stats.rowsRejected).toBeUndefined();
    expect(journal).toEqual([{ op: 'signal', ...row(5_000_001, 'kinsing'), module: 'process' }]);
  });
});
