import { describe, expect, it } from 'vitest';
import { renderConsole } from '../../test/helpers/console/app/render-console.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeAgent } from '../../test/helpers/console/state/records.js';
import { count } from './text.js';

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
    const ui = await renderConsole({ backend });
    await ui.press('/');
    await ui.type("os = 'darwin'");
    expect(ui.frame()).toContain('1 of 1 agent matches');
    expect(ui.frame()).not.toMatch(/\b1 agents\b/);
  });
});
