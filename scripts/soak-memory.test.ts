import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fullGc, liveBytes, memoryVerdict, type MemorySample } from './soak-memory.js';

/** A 10-minute soak's samples: an action of 1,000 commands every 15 s, 1.75 KB each, plus `leakMBPerMin`. */
function series(leakMBPerMin: number): MemorySample[] {
  const mbPerCommand = 0.00175;
  return Array.from({ length: 60 }, (_, i) => {
    const atS = i * 10;
    const storedCommands = 1000 * (Math.floor(atS / 15) + 1);
    // Noise of ±1 MB, the same for both runs: what churn leaves in flight.
    const noise = ((i * 7) % 5) - 2;
    const live = 60 + mbPerCommand * storedCommands + (leakMBPerMin * atS) / 60 + noise / 2;
    return { atS, liveMB: live, rssMB: live + 120 + noise, storedCommands };
  });
}

const bounds = { maxLiveGrowthMB: 16, maxRssGrowthMB: 64 };

describe('the soak memory verdict', () => {
  it('calls flat a run that grew only by what it stored (70 MB of commands in 10 minutes)', () => {
    const verdict = memoryVerdict(series(0), 0.00175, bounds);
    expect(verdict.storedGrowthMB).toBeGreaterThan(50);
    expect(verdict).toMatchObject({ isFlat: true, reasons: [] });
    expect(Math.abs(verdict.liveGrowthMB)).toBeLessThan(2);
  });

  it('flags a planted leak of 4 MB a minute on top of the same stored data', () => {
    const verdict = memoryVerdict(series(4), 0.00175, bounds);
    expect(verdict.isFlat).toBe(false);
    // 4 MB a minute between the quarters' medians, 70 s and 520 s: 30 MB.
    expect(verdict.liveGrowthMB).toBeGreaterThan(27);
    expect(verdict.liveGrowthMB).toBeLessThan(33);
    expect(verdict.reasons).toEqual([
      expect.stringMatching(/^live memory beyond the stored data grew \d+\.\d MB \(bound 16 MB\)$/),
    ]);
  });

  it('flags growth the stored data would explain only at a per-command cost other than the measured one', () => {
    // The same run judged with half the true cost: a per-command leak shows as growth.
    expect(memoryVerdict(series(0), 0.00175 / 2, bounds).isFlat).toBe(false);
  });

  it('is not flat without samples', () => {
    expect(memoryVerdict([], 0.001, bounds).isFlat).toBe(false);
  });

  it('sees 20 MB kept in this process, and not once it is let go', () => {
    const gc = fullGc();
    const before = liveBytes(gc);
    let kept: string[] | undefined = Array.from({ length: 20_000 }, () => randomBytes(500).toString('hex'));
    const holding = liveBytes(gc);
    expect(kept.length).toBe(20_000);
    kept = undefined;
    const after = liveBytes(gc);
    expect((holding - before) / 1e6).toBeGreaterThan(19);
    expect((after - before) / 1e6).toBeLessThan(5);
    expect(kept).toBeUndefined();
  });
});
