import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTheme, isColorWanted } from '../components/theme.js';
import type { CommandRecord } from '../state/backend.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeActionRecord, makeAgent, makeCommand } from '../../test/helpers/console/state/records.js';
import { renderConsole } from '../../test/helpers/console/app/render-console.js';

const lines = (frame: string): string[] => frame.split('\n');

function fleet(n: number): FakeBackend {
  const backend = new FakeBackend();
  backend.agents = Array.from({ length: n }, (_, i) => makeAgent(i));
  return backend;
}

describe('App', () => {
  it.each([
    { name: '80x24', input: { columns: 80, rows: 24 } },
    { name: '120x40', input: { columns: 120, rows: 40 } },
    { name: 'smaller than the minimum', input: { columns: 30, rows: 8 } },
  ])('fills the terminal exactly and never overflows it ($name)', async ({ input }) => {
    const ui = await renderConsole({ backend: fleet(200), ...input });
    const frame = lines(ui.frame());
    expect(frame.length).toBeLessThanOrEqual(Math.max(input.rows, 12));
    for (const line of frame) expect(line.length).toBeLessThanOrEqual(Math.max(input.columns, 40));
  });

  it('re-lays out on resize: wide columns and more rows appear', async () => {
    const ui = await renderConsole({ backend: fleet(200) });
    expect(ui.frame()).not.toContain('ADDRESS');
    const before = lines(ui.frame()).filter((l) => l.startsWith('host')).length;
    await ui.resize(140, 40);
    expect(ui.frame()).toContain('ADDRESS');
    const after = lines(ui.frame()).filter((l) => l.startsWith('host')).length;
    expect(after).toBe(before + 16);
    expect(lines(ui.frame()).length).toBeLessThanOrEqual(40);
  });

  it('renders only the visible rows of a 10,000-row result table', async () => {
    const backend = fleet(2000);
    const record = makeActionRecord(1, { counters: { ...makeActionRecord(1).counters, targeted: 2000, done: 2000 } });
    backend.actions.set(record.action.id, record);
    const commands: CommandRecord[] = backend.agents.map((agent) =>
      makeCommand(record, agent, {
        rows: Array.from({ length: 5 }, (_, i) => ({
          path: `/data/${agent.id}/${i}`,
          size: i,
          mtime: record.createdAt,
        })),
      }),
    );
    backend.commands.set(record.action.id, commands);
    const ui = await renderConsole({ backend });
    await ui.press(':');
    await ui.type('actions');
    await ui.press('enter', 'enter');
    const frame = lines(ui.frame());
    expect(frame.length).toBeLessThanOrEqual(24);
    expect(frame.filter((l) => l.includes('/data/')).length).toBe(16);
    expect(backend.callsTo('listCommands')).toHaveLength(2);
    await ui.press('/');
    await ui.type('agent-01999');
    await ui.press('enter');
    expect(ui.frame()).toContain('/data/agent-01999/4');
    await ui.press('/', 'ctrl+u', 'enter', 'G');
    expect(ui.frame()).toContain('/data/agent-01999/4');
    expect(ui.frame()).not.toContain('/data/agent-00000/');
    expect(lines(ui.frame()).length).toBeLessThanOrEqual(24);
  });

  it('? shows help generated from the keymap; Esc closes it', async () => {
    const ui = await renderConsole({ backend: fleet(2) });
    await ui.press('?');
    expect(ui.frame()).toContain('agents view');
    expect(ui.frame()).toMatch(/s\s+sort by the next column/);
    // The global keys come after this view's: scroll down to them (the help lists every key).
    for (let i = 0; i < 40 && !/q <ctrl\+c>/.test(ui.frame()); i++) await ui.press('down');
    expect(ui.frame()).toMatch(/q <ctrl\+c>\s+quit; a server this console started asks/);
    await ui.press('esc');
    expect(ui.frame()).toContain('Agents 2');
  });

  it('shows "reconnecting…" while the live stream is down', async () => {
    const backend = fleet(1);
    const ui = await renderConsole({ backend });
    backend.setStatus('reconnecting');
    await ui.advance(0);
    expect(lines(ui.frame())[1]).toContain('reconnecting…');
    backend.setStatus('connected');
    await ui.advance(0);
    expect(ui.frame()).not.toContain('reconnecting');
  });

  it('an unknown :view is an error line, and the view stays', async () => {
    const ui = await renderConsole({ backend: fleet(1) });
    await ui.press(':');
    await ui.type('pods');
    await ui.press('enter');
    expect(ui.frame()).toContain('error: unknown view "pods": try :agents :actions :launch :investigators');
  });

  it('uses the module registry by default: the launcher offers the file module', async () => {
    const ui = await renderConsole({ backend: fleet(2), modules: 'registry' });
    await ui.press(':');
    await ui.type('launch');
    await ui.press('enter');
    expect(ui.frame()).toMatch(/Module\s+‹ file ›/);
    expect(ui.frame()).toMatch(/path\s+expected one or more values, got nothing/);
    await ui.press('G', 'up');
    expect(ui.frame()).toMatch(/▸ returnsha256\s+\[ \]/);
    expect(ui.frame().split('\n').length).toBeLessThanOrEqual(24);
  });

  it('q quits through Ink and unsubscribes from live events', async () => {
    const backend = fleet(1);
    const ui = await renderConsole({ backend });
    expect(backend.subscriberCount).toBe(1);
    await ui.press('q');
    expect(backend.subscriberCount).toBe(0);
  });
});

describe('theme', () => {
  it.each([
    { name: 'unset', input: {}, want: true },
    { name: 'empty', input: { NO_COLOR: '' }, want: true },
    { name: 'set', input: { NO_COLOR: '1' }, want: false },
  ])('NO_COLOR $name', ({ input, want }) => {
    expect(isColorWanted(input)).toBe(want);
    const theme = createTheme(isColorWanted(input));
    expect(Object.values(theme.tone).some((c) => c !== undefined)).toBe(want);
  });

  it('components and views name no color outside the theme', () => {
    const root = new URL('..', import.meta.url).pathname;
    for (const dir of ['components', 'views', 'app']) {
      for (const file of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.tsx')) continue;
        const text = readFileSync(join(root, dir, file), 'utf8');
        expect(text, `${dir}/${file}`).not.toMatch(/(color|backgroundColor)=(["']|\{\s*["'`])/i);
      }
    }
  });
});
