import { describe, expect, it } from 'vitest';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeAgent } from '../../test/helpers/console/state/records.js';
import { renderConsole } from '../../test/helpers/console/app/render-console.js';

function backend(): FakeBackend {
  const b = new FakeBackend();
  b.agents = [makeAgent(0), makeAgent(1), makeAgent(2)];
  return b;
}

describe('q in a console that started its own server and agent', () => {
  it('asks once: keep them running or stop them; Esc stays', async () => {
    const b = backend();
    b.embeddedFleet = 'the server and agent vm';
    const ui = await renderConsole({ backend: b });
    await ui.press('q');
    expect(ui.frame()).toContain('quit: k keep the server and agent vm running  s stop them');
    await ui.press('esc');
    expect(ui.frame()).toContain('Agents 3');
    expect(ui.frame()).not.toContain('quit: k');
  });
});
