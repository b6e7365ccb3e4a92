import { describe, expect, it } from 'vitest';
import { isBound, KEYMAP } from '../keymap.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeAgent } from '../../test/helpers/console/state/records.js';
import { renderConsole, type RenderedConsole } from '../../test/helpers/console/app/render-console.js';

/** Opens help and pages to its end, returning every frame's text. */
async function readAllHelp(r: RenderedConsole): Promise<string> {
  await r.press('?');
  const frames = [r.frame()];
  for (let i = 0; i < 20 && !/lines \d+-(\d+) of \1/.test(frames[frames.length - 1] ?? ''); i++) {
    await r.press('pagedown');
    frames.push(r.frame());
  }
  // Wrapped descriptions read on over the next line, after the keys column.
  return frames.join('\n').replace(/\n {15}/g, ' ');
}

function backend(): FakeBackend {
  const b = new FakeBackend();
  b.agents = [makeAgent(0)];
  return b;
}

describe('? help', () => {
  it('lists every key of every view, this view first, scrolling past one screen', async () => {
    const ui = await renderConsole({ backend: backend() });
    await ui.press('?');
    expect(ui.frame()).toMatch(/Help: every key \(Esc closes\)\s+lines 1-19 of \d+/);
    expect(ui.frame().split('\n')[3]).toContain('agents view (here)');
    await ui.press('esc');
    const all = await readAllHelp(ui);
    for (const command of KEYMAP.filter((c) => !['up', 'down', 'pageUp', 'pageDown', 'top', 'bottom'].includes(c.id))) {
      expect(all, command.id).toContain(command.description);
    }
    expect(all).toMatch(/k j g G\s+move \(also <up> <down> <pageup>/);
    expect(all).toContain('launcher view');
    await ui.press('esc');
    expect(ui.frame()).toContain('Agents 1');
  });

  it('in read-only mode leaves out what is not bound', async () => {
    const ui = await renderConsole({ backend: backend(), readOnly: true });
    const all = await readAllHelp(ui);
    for (const command of KEYMAP.filter((c) => !isBound(c, true)))
      expect(all, command.id).not.toContain(command.description);
    expect(all).toContain('show found / not found / all');
  });
});
