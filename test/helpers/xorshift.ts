/**
 * Uniform 32-bit numbers from a seed (xorshift32): the same cases on every run. Unlike
 * seeded-ints.ts's LCG, every bit is well mixed, so `n % k` stays uniform for any k: the byte
 * filters' tests need that to drop their pieces into haystacks at varied places.
 */
export function* xorshift32(seed: number): Generator<number> {
  let state = seed >>> 0 || 1;
  for (;;) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    yield state >>> 0;
  }
}
