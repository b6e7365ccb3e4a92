/**
 * A tiny seeded PRNG (mulberry32): the demo must plant the same hosts for the same --hosts N on
 * every machine and every run, which Math.random cannot promise.
 */
export type Rng = () => number;

export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An integer in [min, max]. */
export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** One entry, chosen with the given weights (each > 0). */
export function weighted<T>(rng: Rng, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let r = rng() * total;
  for (const [value, w] of choices) {
    r -= w;
    if (r < 0) return value;
  }
  const last = choices[choices.length - 1];
  if (last === undefined) throw new Error('weighted: no choices');
  return last[0];
}

/** `count` distinct entries (fewer if the list is shorter), in the list's own order. */
export function sample<T>(rng: Rng, list: readonly T[], count: number): T[] {
  const indexes = list.map((_, i) => i);
  // Partial Fisher-Yates: only the first `count` slots are shuffled.
  for (let i = 0; i < Math.min(count, indexes.length); i++) {
    const j = intBetween(rng, i, indexes.length - 1);
    [indexes[i], indexes[j]] = [indexes[j] ?? 0, indexes[i] ?? 0];
  }
  return indexes
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((i) => list[i] as T);
}
