/**
 * Token nonces seen recently. A token is fresh for ±5 min, so a nonce is kept 10 min: long
 * enough that any token still fresh is remembered. Bounded: when full of unexpired nonces we
 * refuse new tokens rather than forget one early (forgetting would reopen a replay window).
 */
export class NonceCache {
  /** nonce → time first seen (ms); Map keeps insertion order, so the oldest is first. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = 10 * 60 * 1000,
    private readonly maxSize = 100_000,
  ) {}

  /** Records the nonce; says whether it was new, a replay, or could not be kept. */
  remember(nonce: string, nowMs: number): 'fresh' | 'replayed' | 'full' {
    this.prune(nowMs);
    if (this.seen.has(nonce)) return 'replayed';
    if (this.seen.size >= this.maxSize) return 'full';
    this.seen.set(nonce, nowMs);
    return 'fresh';
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(nowMs: number): void {
    for (const [nonce, atMs] of this.seen) {
      if (nowMs - atMs < this.ttlMs) return;
      this.seen.delete(nonce);
    }
  }
}
