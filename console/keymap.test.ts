import { describe, expect, it } from 'vitest';
import { KEYMAP, commandsFor, resolveKey } from './keymap.js';
import type { ViewKind } from './state/nav.js';

const VIEWS: ViewKind[] = ['agents', 'agent', 'actions', 'action', 'command', 'launcher', 'investigators'];

describe('keymap', () => {
  it.each([
    { name: 'enter in agents opens the agent', input: { view: 'agents' as const, key: 'enter' }, want: 'openAgent' },
    {
      name: 'enter in the action view drills into a command',
      input: { view: 'action' as const, key: 'enter' },
      want: 'openCommand',
    },
    { name: 's sorts agents', input: { view: 'agents' as const, key: 's' }, want: 'sort' },
    { name: 's launches from the launcher', input: { view: 'launcher' as const, key: 's' }, want: 'launch' },
    { name: 'global keys work everywhere', input: { view: 'command' as const, key: 'q' }, want: 'quit' },
    { name: 'unbound key', input: { view: 'agents' as const, key: 'z' }, want: undefined },
  ])('$name', ({ input, want }) => {
    expect(resolveKey(input.view, input.key, false)?.id).toBe(want);
  });

  it('no key means two things in one view', () => {
    for (const view of VIEWS) {
      const keys = commandsFor(view, false).flatMap((c) => c.keys);
      expect(
        keys.filter((k, i) => keys.indexOf(k) !== i),
        view,
      ).toEqual([]);
    }
  });

  it('read-only mode binds no dangerous or mutating command', () => {
    const risky = KEYMAP.filter((c) => c.isDangerous || c.isMutating);
    expect(risky.map((c) => c.id)).toEqual(
      expect.arrayContaining(['cancelAction', 'toggleInvestigator', 'addInvestigator', 'launch', 'huntFound']),
    );
    for (const view of VIEWS) {
      for (const c of risky) for (const key of c.keys) expect(resolveKey(view, key, true)?.id).not.toBe(c.id);
    }
  });

  it('every command is described', () => {
    for (const c of KEYMAP) expect(c.description.length, c.id).toBeGreaterThan(2);
  });
});
