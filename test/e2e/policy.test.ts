// Revocation across real processes: alice (admin) publishes a policy bundle with `mig policy
// publish`, disables bob with `mig investigators disable bob` (which publishes the next bundle),
// and the agent reports each version it applied; alice's hunts keep running. (That the agent then
// refuses bob's signatures even when a stolen server sends his action is in
// test/adversarial/rows/policy.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addInvestigator, startAgents, startFleetServer, type Fleet } from '../helpers/fleet.js';
import { runMig, type MigProcess } from '../helpers/mig-process.js';

async function agentPolicyVersion(fleet: Fleet): Promise<number | undefined> {
  const res = await runMig(['agents', '-render', 'json'], fleet.env);
  const list = JSON.parse(res.stdout) as { agents: { policyVersion?: number }[] };
  return list.agents[0]?.policyVersion;
}

async function waitForPolicyVersion(fleet: Fleet, version: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await agentPolicyVersion(fleet)) !== version) {
    if (Date.now() > deadline) throw new Error(`the agent never reported policy version ${version}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

// Alike on purpose (duplicates): the describe-level fleet variables and beforeAll opening match
// two-person.test.ts; vitest needs them declared per describe, and the steps are shared helpers.
describe('policy bundles across real processes', () => {
  let fleet: Fleet;
  let bobEnv: NodeJS.ProcessEnv;
  const processes: MigProcess[] = [];

  beforeAll(async () => {
    ({ fleet } = await startFleetServer(processes));
    bobEnv = await addInvestigator(fleet, 'bob');
    await startAgents(
      fleet,
      [{ name: 'host-1', tags: {}, files: { '/etc/passwd': 'root:x:0:0::/root:/bin/sh\n' } }],
      processes,
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await fleet?.cleanup();
  });

  it('publishes, revokes on disable, and agents report the version they hold', async () => {
    expect(await agentPolicyVersion(fleet)).toBe(0);
    const published = await runMig(['policy', 'publish', '-y'], fleet.env);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toMatch(/published policy version 1: pushed to 1 connected agent/);
    await waitForPolicyVersion(fleet, 1);

    const disabled = await runMig(['investigators', 'disable', 'bob'], fleet.env);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toMatch(/^bob [0-9a-f]{40,64} is disabled$/m);
    expect(disabled.stderr).toMatch(/agents stop trusting bob/);
    expect(disabled.stdout).toMatch(/published policy version 2/);
    await waitForPolicyVersion(fleet, 2);

    const agents = await runMig(['agents'], fleet.env);
    expect(agents.stdout).toMatch(/POLICY/);
    expect(agents.stdout).toMatch(/ v2 /);
    const shown = await runMig(['policy', 'show'], fleet.env);
    expect(shown.stdout).toMatch(/current: version 2/);
    expect(shown.stdout).not.toMatch(/investigators .*bob/);

    const bobHunt = await runMig(['file', '-t', 'all', '-path', '/etc', '-name', '^passwd$', '-y'], bobEnv);
    expect(bobHunt.code).not.toBe(0);
    expect(bobHunt.stderr).toMatch(/disabled/);
    const aliceHunt = await runMig(['file', '-t', 'all', '-path', '/etc', '-name', '^passwd$', '-y'], fleet.env);
    expect(aliceHunt.code, aliceHunt.stderr).toBe(0);
    expect(aliceHunt.stdout).toMatch(/passwd/);
  }, 240_000);
});
