import { describe, expect, it } from 'vitest';
import { renderConsole, type RenderedConsole } from '../../test/helpers/console/app/render-console.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeActionRecord } from '../../test/helpers/console/state/records.js';

function history(): FakeBackend {
  const backend = new FakeBackend();
  const a = makeActionRecord(1, { name: 'old sweep', status: 'completed', finishedAt: '2026-01-15T11:59:00.000Z' });
  const b = makeActionRecord(2, { name: 'fresh hunt' });
  backend.actions.set(a.action.id, a);
  backend.actions.set(b.action.id, b);
  return backend;
}

async function openActions(backend: FakeBackend, readOnly = false): Promise<RenderedConsole> {
  const r = await renderConsole({ backend, readOnly });
  await r.command('actions');
  return r;
}

describe('ActionsView', () => {
  it('lists the history newest first with counters and who signed', async () => {
    const ui = await openActions(history());
    const rows = ui.frame().split('\n');
    const fresh = rows.findIndex((l) => l.startsWith('fresh hunt'));
    const old = rows.findIndex((l) => l.startsWith('old sweep'));
    expect(fresh).toBeGreaterThan(0);
    expect(old).toBeGreaterThan(fresh);
    expect(rows[fresh]).toMatch(/fresh hunt\s+aaaaaaaa\s+probe\s+all\s+inflight\s+10\s+5\s+4\s+1/);
    expect(ui.frame()).toContain('1 in flight');
  });

  it('Enter opens the action view; Esc comes back', async () => {
    const ui = await openActions(history());
    await ui.press('enter');
    expect(ui.frame()).toContain('Action fresh hunt');
    await ui.press('esc');
    expect(ui.frame()).toContain('Actions 2');
  });

  it('c asks y/n and n leaves the action alone', async () => {
    const backend = history();
    const ui = await openActions(backend);
    await ui.press('c');
    expect(ui.frame()).toContain('cancel action fresh hunt? Agents stop what they have not finished.  (y/n)');
    await ui.press('n');
    expect(backend.callsTo('cancelAction')).toHaveLength(0);
    await ui.press('c', 'y');
    expect(backend.callsTo('cancelAction')).toHaveLength(1);
    expect(ui.frame()).toMatch(/fresh hunt.*cancelled/);
  });

  it('read-only: no cancel key, not even in the footer', async () => {
    const backend = history();
    const ui = await openActions(backend, true);
    expect(ui.frame()).not.toContain('cancel!');
    expect(ui.frame()).toContain('read-only');
    await ui.press('c', 'y');
    expect(backend.callsTo('cancelAction')).toHaveLength(0);
  });

  it('/ narrows the list by text', async () => {
    const ui = await openActions(history());
    await ui.press('/');
    await ui.type('sweep');
    await ui.press('enter');
    expect(ui.frame()).toContain('Actions 1/2  filter: sweep');
    expect(ui.frame()).not.toContain('fresh hunt');
  });
});
