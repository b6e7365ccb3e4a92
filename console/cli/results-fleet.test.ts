// End to end with real processes: a real server and two real agents answer a hunt; the answer
// of the agent whose search root is missing carries the warning all the way to the investigator
// (stderr, json, summary, exit 3), and `mig action results` reads the stored action again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgents, startFleetServer, stopFleet, type Fleet, type HostSpec } from '../../test/helpers/fleet.js';
import { runMig, type MigProcess } from '../../test/helpers/mig-process.js';

interface Entry {
  agent: string;
  found: boolean;
  warnings?: string[];
  verification?: string;
}

// Alike on purpose (duplicates): the describe-level fleet variables and beforeAll opening match
// test/e2e/ioc.test.ts; vitest needs them declared per describe, and the steps are shared helpers.
describe('warnings and stored results through a real fleet', () => {
  let fleet: Fleet;
  let server: MigProcess;
  const agents: MigProcess[] = [];

  beforeAll(async () => {
    ({ fleet, server } = await startFleetServer());
    const hosts: HostSpec[] = [
      { name: 'has-srv', tags: {}, files: { '/srv/www/index.php': '<?php echo 1;\n' } },
      { name: 'no-srv', tags: {}, files: { '/etc/hostname': 'no-srv\n' } },
    ];
    await startAgents(fleet, hosts, agents, 60_000);
  }, 120_000);

  afterAll(() => stopFleet(agents, server, fleet));

  it('nothing found on either, one root missing: exit 3, the warning everywhere, then action results', async () => {
    const hunt = await runMig(
      ['file', '-t', 'all', '-path', '/srv', '-name', '^shell', '-y', '-render', 'json'],
      fleet.env,
      60_000,
    );
    expect(hunt.code).toBe(3);
    expect(hunt.stderr).toMatch(/warning: no-srv file: \/srv: cannot open search path \(ENOENT\)/);
    expect(hunt.stderr).toMatch(
      /nothing found — warning: \/srv: cannot open search path \(ENOENT\): the search is incomplete/,
    );
    const entries = JSON.parse(hunt.stdout) as Entry[];
    expect(entries).toEqual([
      expect.objectContaining({ agent: 'no-srv', found: false, warnings: ['/srv: cannot open search path (ENOENT)'] }),
    ]);

    const id = /launched action ([0-9a-f]+)/.exec(hunt.stderr)?.[1] ?? '';
    const results = await runMig(['action', 'results', id, '-show', 'all', '-render', 'json', '--verify'], fleet.env);
    const stored = JSON.parse(results.stdout) as Entry[];
    expect(stored.map((e) => e.agent).sort()).toEqual(['has-srv', 'no-srv']);
    expect(stored.find((e) => e.agent === 'no-srv')?.warnings).toEqual(['/srv: cannot open search path (ENOENT)']);
    // Whether these agents sign their answers yet or not, none may be reported bad.
    expect(stored.every((e) => e.verification === 'verified' || e.verification === 'unsigned')).toBe(true);
    expect(results.stderr).toMatch(/verification: \d verified, \d unsigned, 0 bad/);
    expect(results.code).toBe(3);
  }, 120_000);
});
