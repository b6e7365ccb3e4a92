// The soak's memory verdict (scripts/soak.ts), apart so it can be tested on made-up series.
//
// Why not RSS alone: the embedded store keeps every action and command in memory by design,
// so a soak that launches actions at a steady rate grows by what it stored (about 1.75 KB per
// command), and RSS also follows V8's heap sizing and pages not yet given back. What must stay
// flat is the live heap (used after a full collection, plus memory outside it: Buffers) minus
// what the stored data costs. That cost is measured, not fitted: at the end the script loads
// the same data dir into a fresh store and weighs it, so a leak that grows with time cannot
// hide in a per-command slope fitted to the same run.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MemorySample {
  atS: number;
  rssMB: number;
  /** heapUsed + external after a full collection, MB. */
  liveMB: number;
  /** Commands the store holds at that moment (every command is created at launch). */
  storedCommands: number;
}

export interface MemoryBounds {
  /** Live memory beyond the stored data may grow this much, first quarter to last (MB). */
  maxLiveGrowthMB: number;
  /** RSS beyond the stored data may grow this much (MB): a coarse bound for what the heap figures do not see. */
  maxRssGrowthMB: number;
}

export interface MemoryVerdict {
  isFlat: boolean;
  /** Medians of the first and last quarters of live memory minus stored data (MB). */
  firstLiveMB: number;
  lastLiveMB: number;
  liveGrowthMB: number;
  /** The same for RSS. */
  rssGrowthMB: number;
  /** What the stored data explains of the raw growth (MB). */
  storedGrowthMB: number;
  reasons: string[];
}

/** A full, forced collection: the soak process starts without --expose-gc, so the flag is set here. */
export function fullGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  // A new context reads the flag at creation: its `gc` is the collector.
  return runInNewContext('gc') as () => void;
}

/** Live bytes now: heap used plus memory outside the heap (Buffers), after two full collections. */
export function liveBytes(gc: () => void): number {
  // Twice: the first collection runs finalizers that free more on the second.
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/**
 * Flat when neither live memory nor RSS, less `mbPerCommand` for every stored command, grew
 * past its bound between the first and the last quarter of the samples.
 */
export function memoryVerdict(
  samples: readonly MemorySample[],
  mbPerCommand: number,
  bounds: MemoryBounds,
): MemoryVerdict {
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const first = samples.slice(0, quarter);
  const last = samples.slice(-quarter);
  const net = (s: MemorySample, mb: number): number => mb - mbPerCommand * s.storedCommands;
  const firstLiveMB = median(first.map((s) => net(s, s.liveMB)));
  const lastLiveMB = median(last.map((s) => net(s, s.liveMB)));
  const liveGrowthMB = lastLiveMB - firstLiveMB;
  const rssGrowthMB = median(last.map((s) => net(s, s.rssMB))) - median(first.map((s) => net(s, s.rssMB)));
  const storedGrowthMB =
    mbPerCommand * (median(last.map((s) => s.storedCommands)) - median(first.map((s) => s.storedCommands)));
  const reasons: string[] = [];
  if (!(liveGrowthMB <= bounds.maxLiveGrowthMB))
    reasons.push(
      `live memory beyond the stored data grew ${liveGrowthMB.toFixed(1)} MB (bound ${bounds.maxLiveGrowthMB} MB)`,
    );
  if (!(rssGrowthMB <= bounds.maxRssGrowthMB))
    reasons.push(`RSS beyond the stored data grew ${rssGrowthMB.toFixed(1)} MB (bound ${bounds.maxRssGrowthMB} MB)`);
  return {
    isFlat: reasons.length === 0,
    firstLiveMB,
    lastLiveMB,
    liveGrowthMB,
    rssGrowthMB,
    storedGrowthMB,
    reasons,
  };
}
