import { expect, it } from 'vitest';
import { agentStatus } from './status.js';

const BEAT = 30_000;
const T0 = Date.parse('2025-01-01T00:00:00Z');
const at = (ageMs: number, offlineReason?: 'shutdown' | 'lost' | 'destroyed') => ({
  input: { lastHeartbeatAt: new Date(T0).toISOString(), heartbeatMs: BEAT, offlineReason },
  nowMs: T0 + ageMs,
});

it.each([
  { name: 'fresh heartbeat', ...at(0), want: 'online' },
  { name: 'just under two beats', ...at(2 * BEAT - 1), want: 'online' },
  { name: 'two beats', ...at(2 * BEAT), want: 'idle' },
  { name: 'just under ten beats', ...at(10 * BEAT - 1), want: 'idle' },
  { name: 'ten beats', ...at(10 * BEAT), want: 'offline' },
  { name: 'fresh but shut down', ...at(0, 'shutdown'), want: 'offline' },
  { name: 'fresh but lost (last will)', ...at(0, 'lost'), want: 'offline' },
  { name: 'destroyed', ...at(0, 'destroyed'), want: 'destroyed' },
])('$name → $want', ({ input, nowMs, want }) => {
  expect(agentStatus(input, nowMs)).toBe(want);
});
