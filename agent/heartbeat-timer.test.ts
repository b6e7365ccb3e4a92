import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { beatWithJitter, HEARTBEAT_JITTER, nextBeatDelayMs } from './heartbeat-timer.js';

describe('heartbeat jitter', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('moves each beat by at most ±10 % of the interval, so no gap reaches two intervals', () => {
    expect(HEARTBEAT_JITTER).toBe(0.1);
    expect(nextBeatDelayMs(30_000, () => 0)).toBe(27_000);
    expect(nextBeatDelayMs(30_000, () => 0.5)).toBe(30_000);
    expect(nextBeatDelayMs(30_000, () => 0.999_999)).toBe(33_000);
  });

  it('beats on the jittered schedule and not after stop', () => {
    const draws = [0, 1, 0.5];
    let beats = 0;
    const stop = beatWithJitter(
      () => beats++,
      10_000,
      () => draws.shift() ?? 0.5,
    );
    vi.advanceTimersByTime(8_999);
    expect(beats).toBe(0);
    vi.advanceTimersByTime(1);
    expect(beats).toBe(1); // 9 s
    vi.advanceTimersByTime(10_999);
    expect(beats).toBe(1);
    vi.advanceTimersByTime(1);
    expect(beats).toBe(2); // + 11 s
    vi.advanceTimersByTime(10_000);
    expect(beats).toBe(3); // + 10 s
    stop();
    vi.advanceTimersByTime(60_000);
    expect(beats).toBe(3);
  });
});
