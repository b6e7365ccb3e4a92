import { afterEach, describe, expect, it } from 'vitest';
import { renderConsole, type RenderedConsole } from '../app/testing/render-console.js';
import { FakeBackend } from './testing/fake-backend.js';
import { makeAgent } from './testing/records.js';
import { count } from './text.js';

let ui: RenderedConsole | undefined;
afterEach(() => {
  ui?.unmount();
  ui = undefined;
});

describe('counts read as English', () => {
  it.each([
    { n: 0, want: '0 agents' },
    { n: 1, want: '1 agent' },
    { n: 2, want: '2 agents' },
  ])('count($n) → $want', ({ n, want }) => {
    expect(count(n, 'agent')).toBe(want);
  });

  it('the agents filter says "1 of 1 agent matches", not "1 agents"', async () => {
    const backend = new FakeBackend();
    backend.agents = [makeAgent(0)];
    ui = await renderConsole({ backend });
    await ui.press('/');
    await ui.type("os = 'darwin'");
    expect(ui.frame()).toContain('1 of 1 agent matches');
    expect(ui.frame()).not.toMatch(/\b1 agents\b/);
  });
});
