import { describe, expect, it } from 'vitest';
import { canPop, initialNav, jump, pop, push, replaceTop, topEntry, updateTop, type NavState } from './nav.js';

const kinds = (nav: NavState): string[] => nav.stack.map((e) => e.view.kind);

describe('navigation stack', () => {
  it.each([
    {
      name: 'push drills in',
      input: (n: NavState) => push(n, { kind: 'agent', agentId: 'a' }),
      want: ['agents', 'agent'],
    },
    { name: 'pop never removes the root', input: (n: NavState) => pop(pop(n)), want: ['agents'] },
    { name: 'pop goes back', input: (n: NavState) => pop(push(n, { kind: 'actions' })), want: ['agents'] },
    {
      name: 'jump replaces the stack',
      input: (n: NavState) =>
        jump(push(push(n, { kind: 'actions' }), { kind: 'action', actionId: 'x' }), { kind: 'investigators' }),
      want: ['investigators'],
    },
    {
      name: 'replaceTop swaps the top',
      input: (n: NavState) => replaceTop(push(n, { kind: 'launcher' }), { kind: 'action', actionId: 'y' }),
      want: ['agents', 'action'],
    },
  ])('$name', ({ input, want }) => {
    expect(kinds(input(initialNav()))).toEqual(want);
  });

  it('keeps each entry its own cursor and filter, restored on pop', () => {
    let nav = updateTop(initialNav(), (e) => ({ ...e, cursor: 7, filter: "os = 'linux'" }));
    nav = push(nav, { kind: 'agent', agentId: 'a' });
    expect(topEntry(nav).cursor).toBe(0);
    nav = pop(nav);
    expect(topEntry(nav)).toMatchObject({ cursor: 7, filter: "os = 'linux'" });
    expect(canPop(nav)).toBe(false);
  });

  it('jumping to the view already alone on the stack keeps its state', () => {
    const nav = updateTop(initialNav(), (e) => ({ ...e, cursor: 3 }));
    expect(jump(nav, { kind: 'agents' })).toBe(nav);
  });
});
