import { describe, expect, it } from 'vitest';
import { renderConsole } from '../../test/helpers/console/app/render-console.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeActionRecord, makeAgent, makeCommand } from '../../test/helpers/console/state/records.js';

const MTIME = '2026-01-14T03:04:05.678Z';

function backendWithHunt(): FakeBackend {
  const backend = new FakeBackend();
  backend.agents = [makeAgent(0, { tags: { env: 'prod', role: 'web', owner: 'platform-team', region: 'eu-west-1' } })];
  const record = makeActionRecord(1, { name: 'wide hunt' });
  backend.actions.set(record.action.id, record);
  const agent = backend.agents[0];
  if (agent === undefined) throw new Error('fixture');
  backend.commands.set(record.action.id, [
    makeCommand(record, agent, { rows: [{ path: '/etc/passwd', size: 123456, mtime: MTIME }] }),
  ]);
  return backend;
}

describe('wide mode (w)', () => {
  it('shows exact times and sizes in the result table, and ←/→ scroll the columns', async () => {
    const ui = await renderConsole({ backend: backendWithHunt(), columns: 100 });
    await ui.press(':');
    await ui.type('actions');
    await ui.press('enter', 'enter');
    expect(ui.frame()).toMatch(/\/etc\/passwd\s+121K\s+2026-01/);
    expect(ui.frame()).not.toContain(MTIME);
    await ui.press('w');
    expect(ui.frame()).toMatch(new RegExp(`/etc/passwd\\s+123456\\s+${MTIME}`));
    expect(ui.frame()).toMatch(/AGENT\s+STATUS\s+PATH/);
    await ui.press('right');
    expect(ui.frame()).toMatch(/^STATUS\s+PATH/m);
    expect(ui.frame()).not.toContain('host00000.example.org');
    await ui.press('left', 'left');
    expect(ui.frame()).toMatch(/^AGENT\s+STATUS/m);
    await ui.press('w');
    expect(ui.frame()).not.toContain(MTIME);
  });

  it('shows the whole tags and the heartbeat time in the agents table', async () => {
    const ui = await renderConsole({ backend: backendWithHunt(), columns: 80 });
    expect(ui.frame()).not.toContain('region=eu-west-1');
    await ui.press('w', 'right', 'right', 'right', 'right');
    expect(ui.frame()).toMatch(/^TAGS\s+STATUS/m);
    expect(ui.frame()).toContain('env=prod,role=web,owner=platform-team,region=eu-west-1');
    await ui.press('right', 'right');
    expect(ui.frame()).toMatch(/2026-01-15T11:59:55\.000Z\s+10\.0\.0\.0/);
  });

  it('says how to get there when ←/→ are pressed outside wide mode', async () => {
    const ui = await renderConsole({ backend: backendWithHunt() });
    await ui.press('right');
    expect(ui.frame()).toContain('w turns on wide mode');
  });
});
