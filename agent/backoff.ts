export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** Fraction of the delay randomized either way, so a fleet cut off together does not return together. */
  jitter?: number;
  random?: () => number;
}

/** Reconnect delays: 1 s doubling to 60 s, ±20 % jitter, back to 1 s after a good connection. */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 1000;
    this.maxMs = opts.maxMs ?? 60_000;
    this.jitter = opts.jitter ?? 0.2;
    this.random = opts.random ?? Math.random;
  }

  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    const spread = base * this.jitter * (2 * this.random() - 1);
    return Math.max(0, Math.round(base + spread));
  }

  reset(): void {
    this.attempt = 0;
  }
}
