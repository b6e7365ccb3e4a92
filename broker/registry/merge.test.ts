import { describe, expect, it } from 'vitest';
import type { StoredAgent } from '../store/store.js';
import { storedAgent } from '../../test/helpers/broker/stored-agent.js';
import { isNewerAgent, isOnlyLaterBeat } from './merge.js';

const base: StoredAgent = storedAgent({
  id: 'a1',
  lastHeartbeatAt: '2026-01-01T00:01:00.000Z',
  enrollment: 'accepted',
  decidedAt: '2026-01-01T00:00:10.000Z',
  decidedBy: 'alice',
});
const later = '2026-01-01T00:02:00.000Z';

describe('which record of an agent wins across servers', () => {
  it.each([
    { name: 'a later heartbeat', incoming: { ...base, lastHeartbeatAt: later }, want: true },
    { name: 'an earlier heartbeat', incoming: { ...base, lastHeartbeatAt: '2026-01-01T00:00:30.000Z' }, want: false },
    {
      name: 'a later decision with an older heartbeat',
      incoming: {
        ...base,
        enrollment: 'rejected' as const,
        decidedAt: later,
        lastHeartbeatAt: '2026-01-01T00:00:30.000Z',
      },
      want: true,
    },
    {
      name: 'an earlier decision with a later heartbeat',
      incoming: { ...base, decidedAt: '2026-01-01T00:00:05.000Z', lastHeartbeatAt: later },
      want: false,
    },
    {
      name: 'a first decision over an undecided record with a later heartbeat',
      incoming: { ...base, lastHeartbeatAt: '2026-01-01T00:00:30.000Z' },
      local: {
        ...base,
        enrollment: 'pending' as const,
        decidedAt: undefined,
        decidedBy: undefined,
        lastHeartbeatAt: later,
      },
      want: true,
    },
    {
      name: 'the same times and an offline notice',
      incoming: { ...base, offlineReason: 'shutdown' as const },
      want: true,
    },
    {
      name: 'the same record, keys in another order',
      incoming: JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(base).reverse()))) as StoredAgent,
      want: false,
    },
  ])(
    '$name: replaces ours = $want',
    ({ incoming, local, want }: { incoming: StoredAgent; local?: StoredAgent; want: boolean }) => {
      expect(isNewerAgent(incoming, local ?? base)).toBe(want);
    },
  );

  it('tells a later heartbeat alone (no event) from a change of facts', () => {
    expect(isOnlyLaterBeat({ ...base, lastHeartbeatAt: later }, base)).toBe(true);
    expect(isOnlyLaterBeat({ ...base, lastHeartbeatAt: later, tags: { role: 'web' } }, base)).toBe(false);
    expect(isOnlyLaterBeat(base, base)).toBe(false);
  });
});
