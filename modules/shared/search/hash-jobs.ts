import type { Judged } from './evaluate.js';
import type { HashPool, HashResult } from './hash-pool.js';
import type { HashAlgorithm } from './param-values.js';
import type { SearchPlan } from './plan.js';

/**
 * The digests a file's readers want, as one key per set (files go to the reader threads by
 * set): remembered per search, since most files are read for one search (building the set per
 * file showed in the profile). One per run.
 */
export class AlgorithmSets {
  private readonly bySearch = new Map<SearchPlan, string>();
  private readonly byKey = new Map<string, HashAlgorithm[]>();

  keyOf(judged: Judged): string {
    const { readers } = judged;
    const only = readers.length === 1 ? readers[0]?.search : undefined;
    const known = only === undefined ? undefined : this.bySearch.get(only);
    if (known !== undefined) return known;
    const set = [...new Set(readers.flatMap((v) => [...v.search.algorithms]))];
    const key = set.join(',');
    this.byKey.set(key, set);
    if (only !== undefined) this.bySearch.set(only, key);
    return key;
  }

  get(key: string): HashAlgorithm[] {
    return this.byKey.get(key) ?? [];
  }
}

/** One directory's files for the reader threads, grouped by the digests they want. */
export class HashJobs {
  private readonly groups = new Map<string, Judged[]>();

  constructor(private readonly sets: AlgorithmSets) {}

  get size(): number {
    return this.groups.size;
  }

  /** Files added, in all groups. */
  get files(): number {
    let count = 0;
    for (const group of this.groups.values()) count += group.length;
    return count;
  }

  add(judged: Judged): void {
    const key = this.sets.keyOf(judged);
    const same = this.groups.get(key);
    if (same === undefined) this.groups.set(key, [judged]);
    else same.push(judged);
  }

  /** Each file's result; undefined if the pool failed (the module's thread then reads them). */
  send(pool: HashPool): Promise<ReadonlyMap<Judged, HashResult> | undefined> {
    return Promise.all(
      [...this.groups].map(async ([key, group]) => {
        const results = await pool.hash(
          group.map((j) => j.task.real),
          this.sets.get(key),
        );
        return group.map((j, i) => [j, results[i] as HashResult] as const);
      }),
    ).then(
      (groups) => new Map(groups.flat()),
      () => undefined,
    );
  }
}
