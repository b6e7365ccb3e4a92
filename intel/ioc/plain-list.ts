import { classifyValue, KIND_PREFIXES, valueOfKind, type IndicatorSet } from './indicator.js';

/**
 * A plain list: one indicator per line, its kind inferred (hash by length, IP or CIDR, else a
 * file name) or given by a prefix (`sha256:…`, `ip:…`, `filename:…`, `domain:…`). `#` starts a
 * comment, on its own line or after a value; blank lines are skipped. A line that is not an
 * indicator we can hunt is listed with the reason.
 */
export function parsePlainList(text: string): IndicatorSet {
  const set: IndicatorSet = { indicators: [], conjunctions: [], untranslated: [] };
  const seen = new Set<string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\s#.*$|^#.*$/, '').trim();
    if (line === '') continue;
    const id = `line-${i + 1}`;
    const prefix = /^([a-z0-9]+):(?!\/\/)(.*)$/i.exec(line);
    const named = prefix === null ? undefined : KIND_PREFIXES[(prefix[1] ?? '').toLowerCase()];
    const verdict =
      named !== undefined && prefix !== null ? valueOfKind(named, (prefix[2] ?? '').trim()) : classifyValue(line);
    if ('reason' in verdict) {
      set.untranslated.push({ id, name: line, pattern: line, reason: verdict.reason });
      continue;
    }
    const key = `${verdict.kind}:${verdict.value}`;
    if (seen.has(key)) continue; // a feed that repeats itself hunts each value once
    seen.add(key);
    set.indicators.push({ id, name: line, kind: verdict.kind, value: verdict.value });
  }
  return set;
}
