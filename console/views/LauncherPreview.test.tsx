import { describe, expect, it } from 'vitest';
import { renderConsole, type RenderedConsole } from '../../test/helpers/console/app/render-console.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeAgent } from '../../test/helpers/console/state/records.js';

/** The launcher on the real registry: the file module, whose matchall is on unless matchany is. */
async function fileLauncher(): Promise<RenderedConsole> {
  const backend = new FakeBackend();
  backend.agents = [makeAgent(0)];
  const r = await renderConsole({ backend, modules: 'registry' });
  await r.press('n');
  expect(r.frame()).toMatch(/Module\s+‹ file ›/);
  return r;
}

async function focus(r: RenderedConsole, label: string): Promise<void> {
  for (let i = 0; i < 40 && !new RegExp(`▸ ${label}\\b`).test(r.frame()); i++) await r.press('down');
  if (!new RegExp(`▸ ${label}\\b`).test(r.frame())) throw new Error(`no row ${label}`);
}

async function fill(r: RenderedConsole, label: string, text: string): Promise<void> {
  await focus(r, label);
  await r.press('enter');
  await r.type(text);
  await r.press('enter');
}

/** The whole preview, read by scrolling it from top to bottom. */
async function wholePreview(r: RenderedConsole): Promise<string> {
  await r.press('p', 'g');
  const seen = [r.frame()];
  for (let i = 0; i < 60 && !/… lines \d+-(\d+) of \1;/.test(seen[seen.length - 1] ?? ''); i++) {
    await r.press('down');
    seen.push(r.frame());
  }
  await r.press('p');
  return seen.join('\n');
}

describe('launcher form and preview agree', () => {
  it('shows matchall on while it is in effect, as the preview says; off once matchany is chosen', async () => {
    const ui = await fileLauncher();
    await fill(ui, 'path', '/etc');
    await fill(ui, 'name', 'passwd');
    await focus(ui, 'matchall');
    expect(ui.frame()).toMatch(/matchall\s+\[x\] \(implied by the other fields\)/);
    expect(await wholePreview(ui)).toContain('"matchall": true');
    await focus(ui, 'matchany');
    await ui.press('space');
    expect(ui.frame()).toMatch(/matchall\s+\[ \]/);
    expect(ui.frame()).toMatch(/matchany\s+\[x\]/);
    const preview = await wholePreview(ui);
    expect(preview).toContain('"matchany": true');
    expect(preview).not.toContain('"matchall"');
  });

  it('the preview scrolls through the whole action', async () => {
    const ui = await fileLauncher();
    await fill(ui, 'path', '/etc');
    await fill(ui, 'name', 'passwd');
    await ui.press('p');
    const total = /… lines 1-(\d+) of (\d+); ↑\/↓ scroll, p closes/.exec(ui.frame());
    expect(total).not.toBeNull();
    expect(ui.frame()).toContain('"v": 1');
    await ui.press('down', 'down');
    expect(ui.frame()).toMatch(/… lines 3-\d+ of \d+/);
    expect(ui.frame()).not.toContain('"v": 1');
    await ui.press('G');
    expect(ui.frame()).toMatch(new RegExp(`… lines \\d+-${total?.[2]} of ${total?.[2]}`));
    expect(ui.frame()).toMatch(/"expireAfter"|"operations"|^\}/m);
    await ui.press('up', 'g');
    expect(ui.frame()).toContain('"v": 1');
    await ui.press('p');
    expect(ui.frame()).toMatch(/▸ content\b/);
  });
});
