// The real `mig console` in a real terminal (tmux) against a real server and agent: open the
// launcher, build a file hunt by keyboard, sign, launch, and see the planted file's row appear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIG_BIN } from '../helpers/mig-process.js';
import { startAgents, startFleetServer, type Fleet } from '../helpers/fleet.js';
import type { MigProcess } from '../helpers/mig-process.js';
import { hasTmux, TmuxSession } from '../helpers/tmux.js';

describe.skipIf(!hasTmux)('mig console in a terminal', () => {
  let fleet: Fleet;
  const processes: MigProcess[] = [];
  let tmux: TmuxSession | undefined;

  beforeAll(async () => {
    ({ fleet } = await startFleetServer(processes));
    const webShell = { '/var/www/up/c99.php': '<?php system($_GET[1]);\n' };
    await startAgents(fleet, [{ name: 'web-1', tags: { env: 'prod' }, files: webShell }], processes);
  }, 60_000);

  afterAll(async () => {
    tmux?.kill();
    await Promise.all(processes.map((p) => p.stop()));
    await fleet?.cleanup();
  });

  it('launches a hunt built by keyboard and shows the planted file', async () => {
    const env = Object.fromEntries(Object.entries(fleet.env).filter((e): e is [string, string] => e[1] !== undefined));
    tmux = TmuxSession.start(`${process.execPath} ${MIG_BIN} console`, { env: { ...env, NO_COLOR: '1' } });
    await tmux.waitFor(/web-1 .*online/);
    await tmux.keys('n');
    await tmux.waitFor(/Launch a hunt/);
    // As a person would: look at the screen before each step (keys typed before the field
    // opens for editing would be read as commands).
    await tmux.keys('Down', 'Down', 'Down', 'Down');
    await tmux.waitFor(/▸ path/);
    await tmux.keys('Enter');
    await tmux.waitFor(/path +▏/);
    await tmux.type('/var/www');
    await tmux.waitFor(/path +\/var\/www▏/);
    await tmux.keys('Enter');
    await tmux.waitFor(/▸ name/);
    await tmux.keys('Enter');
    await tmux.waitFor(/name +▏/);
    await tmux.type('\\.php$');
    await tmux.waitFor(/name +\\\.php\$▏/);
    await tmux.keys('Enter');
    await tmux.waitFor(/name +\\\.php\$ *$/m);
    await tmux.keys('s');
    const screen = await tmux.waitFor(/\/var\/www\/up\/c99\.php/, 30_000);
    expect(screen).toMatch(/web-1 +success/);
    // The result row and the action's counters are two events: the counters may follow a frame later.
    await tmux.waitFor(/found 1/);
    await tmux.keys('q');
  }, 90_000);
});
