// The two-person rule across real processes: alice's response action waits on the server as
// pending approval, bob co-signs it with `mig action approve`, and only then does the agent run
// it, with both signatures. (The agent's own refusal of a single signature, whatever the server
// does, is tested at the pipeline in modules/<response module>/*.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addInvestigator, startAgents, startFleetServer, type Fleet } from '../helpers/fleet.js';
import { runMig, type MigProcess } from '../helpers/mig-process.js';

describe('two-person rule for response actions', () => {
  let fleet: Fleet;
  let bobEnv: NodeJS.ProcessEnv;
  const processes: MigProcess[] = [];

  beforeAll(async () => {
    ({ fleet } = await startFleetServer(processes));
    bobEnv = await addInvestigator(fleet, 'bob');
    // agent.json is rewritten when investigators change: this agent trusts alice and bob.
    await startAgents(fleet, [{ name: 'host-1', tags: {}, files: { '/proc/.empty': '' } }], processes);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await fleet?.cleanup();
  });

  it('holds a single-signature response action until a second investigator approves it', async () => {
    // A dry run that matches nothing: the point here is who signed, not what gets killed.
    const launch = await runMig(
      ['process', '-t', 'all', '-name', '^nothing-matches-this$', '-dryrun', '-y'],
      fleet.env,
    );
    expect(launch.code, launch.stderr).toBe(0);
    const id = /approve ([0-9a-f]{32,64})/.exec(launch.stderr + launch.stdout)?.[1] ?? '';
    expect(id).not.toBe('');

    const pending = await runMig(['action', 'show', id, '-render', 'json'], fleet.env);
    expect(JSON.parse(pending.stdout)).toMatchObject({ status: 'pending', counters: { sent: 0 } });

    const selfApprove = await runMig(['action', 'approve', id, '-y'], fleet.env);
    expect(selfApprove.code).not.toBe(0); // alice cannot be her own second investigator

    const approve = await runMig(['action', 'approve', id, '-y'], bobEnv);
    expect(approve.code, approve.stderr).toBe(0);
    const deadline = Date.now() + 20_000;
    let record: { status: string; counters: { success: number; failed: number }; action: { signatures: string[] } };
    do {
      await new Promise((r) => setTimeout(r, 300));
      record = JSON.parse((await runMig(['action', 'show', id, '-render', 'json'], fleet.env)).stdout) as typeof record;
    } while (record.status !== 'completed' && Date.now() < deadline);
    expect(record.status).toBe('completed');
    expect(record.counters, processes[1]?.output()).toMatchObject({ success: 1, failed: 0 });
    expect(record.action.signatures).toHaveLength(2);
  }, 60_000);
});
