/** Levenshtein distance (insert, delete, substitute each cost 1), two rows of memory. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate closest to what was typed, or undefined when nothing is close enough to be a
 * plausible typo: a wild guess is worse than none. A candidate that starts with what was typed
 * (`-max` for `-maxdepth`) always counts as close.
 */
export function closestMatch(typed: string, candidates: readonly string[]): string | undefined {
  const needle = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const isPrefix = needle.length >= 2 && name.toLowerCase().startsWith(needle);
    const distance = isPrefix ? 0.5 : editDistance(needle, name.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best === undefined) return undefined;
  const tolerance = Math.max(2, Math.floor(needle.length / 3));
  return best.distance <= tolerance ? best.name : undefined;
}
