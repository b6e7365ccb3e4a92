import { describe, expect, it } from 'vitest';
import { renderConsole, type RenderedConsole } from '../../test/helpers/console/app/render-console.js';
import type { ActionRecord } from '../state/backend.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeActionRecord, makeAgent, makeCommand } from '../../test/helpers/console/state/records.js';

function hunt(): { backend: FakeBackend; record: ActionRecord } {
  const backend = new FakeBackend();
  backend.agents = Array.from({ length: 4 }, (_, i) => makeAgent(i));
  const record = makeActionRecord(1, { name: 'passwd hunt' });
  backend.actions.set(record.action.id, record);
  const [a0, a1, a2] = backend.agents;
  if (a0 === undefined || a1 === undefined || a2 === undefined) throw new Error('fixture');
  backend.commands.set(record.action.id, [
    makeCommand(record, a0, { rows: [{ path: '/etc/passwd', size: 2048, mtime: record.createdAt }] }),
    makeCommand(record, a1),
    makeCommand(record, a2, {
      status: 'failed',
      isFound: false,
      operations: [],
      error: { code: 'ACL_WEIGHT_TOO_LOW', message: 'needs a second signer' },
    }),
  ]);
  return { backend, record };
}

/** Opens the first action; it opens on found rows, `showAll` cycles `f` to every row. */
async function openAction(
  backend: FakeBackend,
  opts: { showAll?: boolean; columns?: number } = { showAll: true },
): Promise<RenderedConsole> {
  const r = await renderConsole({ backend, ...(opts.columns === undefined ? {} : { columns: opts.columns }) });
  await r.command('actions');
  await r.press('enter');
  if (opts.showAll === true) await r.press('f', 'f');
  return r;
}

describe('ActionView', () => {
  it('shows progress, counters and one row per result with the module columns', async () => {
    const ui = await openAction(hunt().backend);
    const frame = ui.frame();
    expect(frame).toMatch(/Action passwd hunt by aaaaaaaa\s+target: all\s+inflight/);
    expect(frame).toMatch(/█+░+\s+5\/10 done/);
    expect(frame).toContain('sent 10  ok 4  failed 1');
    expect(frame).toMatch(/AGENT\s+STATUS\s+PATH\s+SIZE\s+MODIFIED\s+NOTE/);
    expect(frame).toMatch(/host00000\.example\.org\s+success\s+\/etc\/passwd\s+2\.0K/);
    expect(frame).toMatch(/host00002\.example\.org\s+failed\s+ACL_WEIGHT_TOO_LOW/);
  });

  it('results stream in as commands finish', async () => {
    const { backend, record } = hunt();
    const ui = await openAction(backend);
    const a3 = backend.agents[3];
    if (a3 === undefined) throw new Error('fixture');
    backend.emit({
      type: 'command',
      command: makeCommand(record, a3, { rows: [{ path: '/etc/shadow', size: 1, mtime: record.createdAt }] }),
    });
    backend.emit({ type: 'action', action: { ...record, counters: { ...record.counters, done: 6, success: 5 } } });
    await ui.advance(0);
    expect(ui.frame()).toContain('/etc/shadow');
    expect(ui.frame()).toContain('6/10 done');
  });

  it('opens on found rows; f cycles found, not found and all', async () => {
    const ui = await openAction(hunt().backend, {});
    expect(ui.frame()).toContain('[found]');
    expect(ui.frame()).toContain('/etc/passwd');
    expect(ui.frame()).not.toContain('host00001');
    await ui.press('f');
    expect(ui.frame()).toContain('[notfound]');
    expect(ui.frame()).not.toContain('/etc/passwd');
    expect(ui.frame()).toContain('host00001');
    await ui.press('f');
    expect(ui.frame()).toContain('[all]');
  });

  it('Enter drills into the agent command with its error and stats', async () => {
    const ui = await openAction(hunt().backend);
    await ui.press('down', 'down', 'enter');
    expect(ui.frame()).toContain('Answer of host00002.example.org  action passwd hunt');
    expect(ui.frame()).toMatch(/error\s+ACL_WEIGHT_TOO_LOW: needs a second signer/);
    await ui.press('esc', 'up', 'up', 'enter');
    expect(ui.frame()).toContain('Result of host00000.example.org');
    expect(ui.frame()).toMatch(/operation 1: probe\s+found\s+1 row\b/);
    expect(ui.frame()).toContain('stats files=12');
  });

  it('x exports: pick a format, accept the default path', async () => {
    const { backend, record } = hunt();
    const ui = await openAction(backend);
    await ui.press('x');
    expect(ui.frame()).toContain('export as: j json  n ndjson  c csv');
    await ui.press('c');
    expect(ui.frame()).toContain('export to: mig-00000000.csv');
    await ui.press('enter');
    expect(backend.callsTo('exportResults')[0]?.args).toEqual([record.action.id, 'csv', 'mig-00000000.csv']);
    expect(ui.frame()).toContain('exported csv to mig-00000000.csv');
  });

  it('c cancels after y', async () => {
    const { backend } = hunt();
    const ui = await openAction(backend);
    await ui.press('c', 'y');
    expect(ui.frame()).toMatch(/passwd hunt.*cancelled/);
  });

  it('h hunts again on the agents that found something', async () => {
    const { backend, record } = hunt();
    const ui = await openAction(backend);
    await ui.press('h');
    expect(ui.frame()).toContain('Launch a hunt');
    expect(ui.frame()).toMatch(new RegExp(`Target\\s+found\\('${record.action.id}'\\)`));
    expect(ui.frame()).toMatch(/names\s+passwd/);
  });

  it('a long command report scrolls line by line', async () => {
    const { backend, record } = hunt();
    const a3 = backend.agents[3];
    if (a3 === undefined) throw new Error('fixture');
    const errors = Array.from({ length: 40 }, (_, i) => `unreadable /proc/${i}/maps`);
    backend.commands
      .get(record.action.id)
      ?.push(
        makeCommand(record, a3, { operations: [{ module: 'probe', isFound: false, rows: [], stats: {}, errors }] }),
      );
    const ui = await openAction(backend);
    await ui.press('G', 'enter');
    expect(ui.frame()).toContain('! unreadable /proc/0/maps');
    await ui.press('down', 'down', 'down', 'down', 'down', 'down', 'down', 'down');
    expect(ui.frame()).not.toContain('! unreadable /proc/0/maps');
    expect(ui.frame()).toContain('! unreadable /proc/1/maps');
    await ui.press('G');
    expect(ui.frame()).toContain('! unreadable /proc/39/maps');
    expect(ui.frame().split('\n').length).toBeLessThanOrEqual(24);
  });
});
