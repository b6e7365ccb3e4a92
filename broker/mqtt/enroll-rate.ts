/**
 * Enrollment connections per source address: a token bucket each. Only enrollments pay (an
 * accepted agent's reconnects never do), and a wrong enrollment secret pays too, so the same
 * bucket slows guessing. Generous by default: a fleet behind one NAT enrolls in a burst, then
 * keeps retrying with back-off until it gets through.
 */
export interface EnrollRateOptions {
  /** Connections an address may open at once (bucket size). Default 200. */
  burst: number;
  /** Tokens added per second and address. Default 10. */
  perSecond: number;
  /** Addresses remembered at most; the least recently seen is forgotten first. Default 10,000. */
  maxAddresses?: number;
}

export const DEFAULT_ENROLL_RATE: EnrollRateOptions = { burst: 200, perSecond: 10 };
const DEFAULT_MAX_ADDRESSES = 10_000;

interface Bucket {
  tokens: number;
  atMs: number;
  /** Refusals since the last log line for this address (a flood must not flood the log). */
  refusedSinceLog: number;
}

export class EnrollRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxAddresses: number;

  constructor(
    private readonly opts: EnrollRateOptions,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.maxAddresses = opts.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
  }

  /**
   * Takes one token for `address`. On refusal, `shouldLog` is true for the first refusal and
   * then once per 100, with `refused` the count so far.
   */
  take(address: string): { ok: true } | { ok: false; shouldLog: boolean; refused: number } {
    const now = this.nowMs();
    const bucket = this.buckets.get(address) ?? { tokens: this.opts.burst, atMs: now, refusedSinceLog: 0 };
    bucket.tokens = Math.min(this.opts.burst, bucket.tokens + ((now - bucket.atMs) / 1000) * this.opts.perSecond);
    bucket.atMs = now;
    // Re-insert so Map order is least recently seen first.
    this.buckets.delete(address);
    this.buckets.set(address, bucket);
    this.evict();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    bucket.refusedSinceLog += 1;
    const shouldLog = bucket.refusedSinceLog === 1 || bucket.refusedSinceLog % 100 === 0;
    return { ok: false, shouldLog, refused: bucket.refusedSinceLog };
  }

  get addressCount(): number {
    return this.buckets.size;
  }

  private evict(): void {
    while (this.buckets.size > this.maxAddresses) {
      const oldest = this.buckets.keys().next();
      if (oldest.done === true) return;
      this.buckets.delete(oldest.value);
    }
  }
}
