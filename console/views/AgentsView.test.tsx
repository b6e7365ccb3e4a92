import { describe, expect, it } from 'vitest';
import { renderConsole } from '../../test/helpers/console/app/render-console.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeActionRecord, makeAgent, makeCommand } from '../../test/helpers/console/state/records.js';

function fleet(n: number): FakeBackend {
  const backend = new FakeBackend();
  backend.agents = Array.from({ length: n }, (_, i) => makeAgent(i, i === 2 ? { status: 'idle' } : {}));
  return backend;
}

describe('AgentsView', () => {
  it('lists agents with their columns and the fleet counts in the header', async () => {
    const ui = await renderConsole({ backend: fleet(3) });
    const frame = ui.frame();
    expect(frame).toMatch(/NAME\s+OS\s+ARCH\s+VERSION\s+TAGS\s+STATUS\s+POLICY\s+LAST HB/);
    // '-': these agents report no policy version (older agents).
    expect(frame).toMatch(/host00002\.example\.org\s+linux\s+amd64\s+1\.0\.0\s+env=prod\s+idle\s+-\s+7s/);
    expect(frame).toContain('2 online  1 idle  0 offline  0 in flight');
  });

  it('arrows move the cursor and Enter opens that agent with its recent commands', async () => {
    const backend = fleet(5);
    const record = makeActionRecord(1, { name: 'passwd hunt' });
    backend.actions.set(record.action.id, record);
    const agent = backend.agents[2];
    if (agent === undefined) throw new Error('fixture');
    const ui = await renderConsole({ backend });
    backend.emit({
      type: 'command',
      command: makeCommand(record, agent, { rows: [{ path: '/x', size: 1, mtime: record.createdAt }] }),
    });
    await ui.advance(0);
    await ui.press('down', 'down', 'enter');
    const frame = ui.frame();
    expect(frame).toContain('Agent host00002.example.org');
    expect(frame).toMatch(/status\s+idle/);
    expect(frame).toMatch(/passwd hunt\s+success\s+yes/);
    await ui.press('esc');
    expect(ui.frame()).toContain('Agents 5');
  });

  it('s cycles the sort column and S reverses it', async () => {
    const ui = await renderConsole({ backend: fleet(4) });
    await ui.press('s');
    expect(ui.frame()).toContain('sort: os ↑');
    await ui.press('S');
    expect(ui.frame()).toContain('sort: os ↓');
    const rows = ui
      .frame()
      .split('\n')
      .filter((l) => l.startsWith('host'));
    expect(rows[0]).toContain('linux');
    expect(rows[rows.length - 1]).toContain('darwin');
  });

  it('/ filters with the target language: live match count, parse error in place, Enter applies', async () => {
    const ui = await renderConsole({ backend: fleet(6) });
    await ui.press('/');
    await ui.type("tags->>'env' = 'prod");
    expect(ui.frame()).toMatch(/unterminated string starting at column 16/);
    expect(ui.frame()).toContain('Agents 6');
    await ui.type("'");
    expect(ui.frame()).toContain('3 of 6 agents match');
    expect(ui.frame()).toContain('Agents 3/6');
    await ui.press('enter');
    expect(ui.frame()).toContain("filter: tags->>'env' = 'prod'");
    expect(ui.frame()).not.toContain('host00001');
  });

  it('n from a filtered view starts a hunt aimed at the filter', async () => {
    const ui = await renderConsole({ backend: fleet(6) });
    await ui.press('/');
    await ui.type("os = 'darwin'");
    await ui.press('enter', 'n');
    expect(ui.frame()).toContain('Launch a hunt');
    expect(ui.frame()).toMatch(/Target\s+os = 'darwin'/);
  });

  it('agents arriving live appear without a keypress', async () => {
    const backend = fleet(1);
    const ui = await renderConsole({ backend });
    backend.emit({ type: 'agent', agent: makeAgent(42, { name: 'newcomer.example.org' }) });
    await ui.advance(0);
    expect(ui.frame()).toContain('newcomer.example.org');
    expect(ui.frame()).toContain('Agents 2');
  });
});
