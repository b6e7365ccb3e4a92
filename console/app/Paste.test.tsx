import { describe, expect, it } from 'vitest';
import { backendWithAgents } from '../../test/helpers/console/state/fake-backend.js';
import { renderConsole } from '../../test/helpers/console/app/render-console.js';

/** What a terminal in bracketed-paste mode sends for a paste (the console turns the mode on). */
const bracketed = (text: string): string => `\u001b[200~${text}\u001b[201~`;

// Alike on purpose (duplicates): keyboard-driven steps (press, then read the frame) are the shape
// of every view test; the keys and frames are each test's own.
describe('bracketed paste', () => {
  it('lands whole in a prompt: no markers, and a newline in it is not an Enter', async () => {
    const ui = await renderConsole({ backend: backendWithAgents(3) });
    await ui.press('/');
    await ui.press(bracketed("os = 'linux'\nand name like '%0001%'"));
    expect(ui.frame()).toContain("/os = 'linux' and name like '%0001%'");
    expect(ui.frame()).not.toContain('[200~');
    expect(ui.frame()).toContain('1 of 3 agents matches');
    await ui.press('enter');
    expect(ui.frame()).toContain("filter: os = 'linux' and name like '%0001%'");
  });

  it('arrives whole even when the terminal splits it over several reads', async () => {
    const ui = await renderConsole({ backend: backendWithAgents(3) });
    await ui.press('/', '\u001b[200~', "tags->>'env'", ' = ', "'prod'", '\u001b[201~');
    expect(ui.frame()).toContain("/tags->>'env' = 'prod'");
  });

  it('lands whole in a launcher field', async () => {
    const ui = await renderConsole({ backend: backendWithAgents(3) });
    await ui.press('n', 'down', 'down', 'enter');
    await ui.press('ctrl+u', bracketed("tags->>'role' = 'web'\n"));
    expect(ui.frame()).toMatch(/Target\s+tags->>'role' = 'web'/);
  });

  it('outside a text field runs no keys: a pasted "q" does not quit', async () => {
    const ui = await renderConsole({ backend: backendWithAgents(3) });
    await ui.press(bracketed('q'));
    expect(ui.frame()).toContain('Agents 3');
  });
});
