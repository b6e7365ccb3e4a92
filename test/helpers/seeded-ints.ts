/**
 * Small random ints for generated test cases, reproducible: the C library's rand() LCG from a
 * fixed seed, so a failing case comes back on every run and every machine. `rand(n)` is in [0, n).
 */
export function seededInts(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}
