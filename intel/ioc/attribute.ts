import type { Indicator } from './indicator.js';
import { nameRegex, type PlannedAction } from './plan.js';

/** The indicator a row matched, as every output names it. */
export interface IndicatorHit {
  indicatorId: string;
  indicatorName: string;
  kind: Indicator['kind'] | 'conjunction';
  value: string;
}

const hitOf = (i: Indicator): IndicatorHit => ({
  indicatorId: i.id,
  indicatorName: i.name,
  kind: i.kind,
  value: i.value,
});

/**
 * Which indicators a result row of a planned action matched, from what the row itself says:
 * the file module's `matched` list (`md5:<digest>`, `name:<regex>`) and search label, netstat's
 * `check` (`connectedip:<value>`), yara's rule and namespace. A row that names nothing we
 * planned (it cannot happen unless the action was changed) yields no hit.
 */
export class Attribution {
  private readonly byKey = new Map<string, Indicator[]>();
  private readonly conjunctions: Map<string, IndicatorHit>;
  private readonly rulesets: readonly string[];

  constructor(plan: Pick<PlannedAction, 'indicators' | 'conjunctions' | 'rulesets'>) {
    for (const i of plan.indicators) {
      const key =
        i.kind === 'filename'
          ? `name:${nameRegex(i)}`
          : i.kind === 'ip'
            ? `connectedip:${i.value}`
            : i.kind === 'yara'
              ? `yara:${i.value}`
              : `${hashFilter(i.kind)}:${i.value}`;
      this.byKey.set(key, [...(this.byKey.get(key) ?? []), i]);
    }
    this.conjunctions = new Map(
      plan.conjunctions.map(({ label, conjunction: c }) => [
        label,
        {
          indicatorId: c.id,
          indicatorName: c.name,
          kind: 'conjunction',
          value: [...c.names, ...c.hashes.map((h) => h.value)].join(' AND '),
        },
      ]),
    );
    this.rulesets = plan.rulesets;
  }

  hits(module: string | undefined, row: Readonly<Record<string, unknown>>): IndicatorHit[] {
    if (module === 'file') {
      const label = typeof row.search === 'string' ? row.search : '';
      const conj = this.conjunctions.get(label);
      if (conj !== undefined) return [conj];
      const matched = Array.isArray(row.matched) ? row.matched.filter((m): m is string => typeof m === 'string') : [];
      return this.lookup(matched.map((m) => (m.toLowerCase().startsWith('name:') ? m : m.toLowerCase())));
    }
    if (module === 'netstat') return typeof row.check === 'string' ? this.lookup([row.check]) : [];
    if (module === 'yara' && typeof row.rule === 'string') {
      // ns<N> is the N-th ruleset; a rule name repeated across rulesets is told apart by its source.
      const ns = typeof row.namespace === 'string' ? Number(/^ns(\d+)$/.exec(row.namespace)?.[1]) : 1;
      const source = this.rulesets[ns - 1];
      return (this.byKey.get(`yara:${row.rule}`) ?? [])
        .filter((i) => source === undefined || i.rules === source)
        .map(hitOf);
    }
    return [];
  }

  /** One hit per indicator: a file matching two digests of the same indicator is one finding. */
  private lookup(keys: readonly string[]): IndicatorHit[] {
    const byId = new Map<string, Indicator>();
    for (const key of keys) for (const i of this.byKey.get(key) ?? []) if (!byId.has(i.id)) byId.set(i.id, i);
    return [...byId.values()].map(hitOf);
  }
}

function hashFilter(kind: Indicator['kind']): string {
  return kind === 'sha256' || kind === 'sha384' || kind === 'sha512' ? 'sha2' : kind;
}
