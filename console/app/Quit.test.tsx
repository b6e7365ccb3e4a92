import { describe, expect, it } from 'vitest';
import { backendWithAgents } from '../../test/helpers/console/state/fake-backend.js';
import { renderConsole } from '../../test/helpers/console/app/render-console.js';

describe('q in a console that started its own server and agent', () => {
  it('asks once: keep them running or stop them; Esc stays', async () => {
    const b = backendWithAgents(3);
    b.embeddedFleet = 'the server and agent vm';
    const ui = await renderConsole({ backend: b });
    await ui.press('q');
    expect(ui.frame()).toContain('quit: k keep the server and agent vm running  s stop them');
    await ui.press('esc');
    expect(ui.frame()).toContain('Agents 3');
    expect(ui.frame()).not.toContain('quit: k');
  });
});
