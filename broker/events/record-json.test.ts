import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { emptyCounters, type ActionRecord, type CommandRecord, type LiveEvent } from '../../protocol/api.js';
import { signedAction } from '../../test/helpers/actions.js';
import { commandJson, hasCommandJson, liveEventJson } from './record-json.js';

// Fake timers throughout: the table's forgetting timer is armed by whichever test comes first.
beforeEach(() => void vi.useFakeTimers());
afterEach(() => {
  vi.runOnlyPendingTimers();
  vi.useRealTimers();
});

const command: CommandRecord = {
  id: 'c'.repeat(32),
  actionId: 'a'.repeat(32),
  agentId: 'b'.repeat(32),
  agentName: 'host "one" \u2028 ü',
  status: 'success',
  createdAt: '2026-12-07T06:00:00.000Z',
  sentAt: '2026-12-07T06:00:00.000Z',
  finishedAt: '2026-12-07T06:00:01.000Z',
  isFound: true,
  operations: [{ module: 'file', isFound: true, rows: [{ path: '/etc/"x"\n' }], stats: {}, errors: [] }],
};

it('writes every kind of live event as JSON.stringify does', async () => {
  const action: ActionRecord = {
    action: await signedAction(['alice']),
    status: 'inflight',
    investigators: ['alice'],
    counters: emptyCounters(),
    createdAt: '2026-12-07T06:00:00.000Z',
  };
  const cases: Array<{ name: string; input: LiveEvent }> = [
    { name: 'command', input: { type: 'command', command } },
    { name: 'command without a result yet', input: { type: 'command', command: { ...command, status: 'sent' } } },
    { name: 'action', input: { type: 'action', action } },
  ];
  for (const { name, input } of cases) expect(liveEventJson(input), name).toBe(JSON.stringify(input));
});

it('makes a record’s text once and gives a changed record (a new object) its own', () => {
  const first = commandJson(command);
  expect(commandJson(command)).toBe(first);
  const changed: CommandRecord = Object.assign({}, command, { status: 'failed' as const });
  expect(JSON.parse(commandJson(changed))).toMatchObject({ status: 'failed' });
  expect(JSON.parse(commandJson(command))).toMatchObject({ status: 'success' });
});

it('forgets its texts about a second later, so stored records never keep a copy as text', () => {
  const fresh: CommandRecord = Object.assign({}, command, { id: 'd'.repeat(32) });
  const text = commandJson(fresh);
  expect(hasCommandJson(fresh)).toBe(true);
  vi.advanceTimersByTime(1000);
  expect(hasCommandJson(fresh)).toBe(false);
  expect(commandJson(fresh)).toBe(text);
});
