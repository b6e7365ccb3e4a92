import { expect, it } from 'vitest';
import type { CommandRecord } from '../../protocol/api.js';
import { applyChanges, countersOf, emptyCounters, isAllDone } from './counters.js';

const now = '2026-12-07T00:00:00.000Z';
const sent = (id: string): CommandRecord => ({
  id,
  actionId: 'a',
  agentId: `agent-${id}`,
  agentName: id,
  status: 'sent',
  createdAt: now,
  sentAt: now,
});

it('counts a launch, then moves each answered command from sent to its status, found or not', () => {
  const launched = [sent('1'), sent('2'), sent('3')];
  const start = countersOf(launched);
  expect(start).toEqual({ ...emptyCounters(), targeted: 3, sent: 3 });
  const answered = applyChanges(start, [
    { before: launched[0], after: { ...sent('1'), status: 'success', isFound: true } },
    { before: launched[1], after: { ...sent('2'), status: 'failed' } },
  ]);
  expect(answered).toEqual({ ...emptyCounters(), targeted: 3, sent: 3, success: 1, failed: 1, done: 2, found: 1 });
  expect(isAllDone(answered)).toBe(false);
  const last = applyChanges(answered, [{ before: launched[2], after: { ...sent('3'), status: 'timeout' } }]);
  expect(last).toEqual(
    countersOf([
      { ...sent('1'), status: 'success', isFound: true },
      { ...sent('2'), status: 'failed' },
      { ...sent('3'), status: 'timeout' },
    ]),
  );
  expect(isAllDone(last)).toBe(true);
});

it('leaves the counters it is given untouched and counts a new command (no before) once', () => {
  const start = emptyCounters();
  const next = applyChanges(start, [{ before: undefined, after: sent('1') }]);
  expect(start).toEqual(emptyCounters());
  expect(next).toEqual({ ...emptyCounters(), targeted: 1, sent: 1 });
});
