import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { collectRows, recordingContext } from '../../test/helpers/modules/recording.js';
import { runProcess } from './run.js';
import { processParams, type SignalName } from './spec.js';

/** Real processes on this host: a `sleep 300` under a unique argv[0], signalled through /proc. */
let children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children = [];
});

function sleeper(): { child: ChildProcess; argv0: string; pid: number } {
  const argv0 = `mig-test-sleep-${randomBytes(6).toString('hex')}`;
  const child = spawn('sleep', ['300'], { argv0, stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('sleep did not start');
  return { child, argv0, pid: child.pid };
}

async function run(params: unknown): Promise<unknown[]> {
  return collectRows(runProcess, processParams, params, recordingContext('/'));
}

/** Process state letter from /proc/<pid>/stat (S sleeping, T stopped). */
function state(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('runProcess signals real processes', () => {
  it.each<{ name: string; signal: SignalName; by: 'name' | 'pid' }>([
    { name: 'TERM by name', signal: 'TERM', by: 'name' },
    { name: 'KILL by pid', signal: 'KILL', by: 'pid' },
    { name: 'INT by name', signal: 'INT', by: 'name' },
    { name: 'HUP by pid', signal: 'HUP', by: 'pid' },
  ])('$name: the process dies of it and is reaped', async ({ signal, by }) => {
    const { child, argv0, pid } = sleeper();
    const exited = once(child, 'exit');
    const params = by === 'name' ? { names: [`^${argv0}$`], signal } : { pids: [pid], signal };
    expect(await run(params)).toEqual([{ pid, name: 'sleep', signal, isKilled: true, isDryRun: false }]);
    expect(await exited).toEqual([null, `SIG${signal}`]);
  });

  it('STOP freezes and CONT thaws', async () => {
    const { argv0, pid } = sleeper();
    await until(() => state(pid) === 'S');
    expect(await run({ names: [`^${argv0}$`], signal: 'STOP' })).toMatchObject([{ pid, isKilled: true }]);
    await until(() => state(pid) === 'T');
    expect(await run({ pids: [pid], signal: 'CONT' })).toMatchObject([{ pid, isKilled: true }]);
    await until(() => state(pid) === 'S');
  });

  it('a dry run sends nothing', async () => {
    const { child, argv0, pid } = sleeper();
    expect(await run({ names: [`^${argv0}$`], signal: 'KILL', dryrun: true })).toEqual([
      { pid, name: 'sleep', signal: 'KILL', isKilled: false, isDryRun: true },
    ]);
    // Still alive: signal 0 checks existence, and the child has not exited.
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  });
});
