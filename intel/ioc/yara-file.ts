import { MAX_RULES_CHARS } from '../../modules/yara/params.js';
import type { IndicatorSet } from './indicator.js';

/** `rule name`, with its modifiers: private rules never report a match of their own. */
const RULE = /(^|\n)[ \t]*((?:(?:private|global)\s+)*)rule\s+([A-Za-z_][A-Za-z0-9_]{0,127})\b/;

/** Comments out, so a rule named in a comment is not taken for one. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
}

export function looksLikeYara(text: string): boolean {
  return /\{/.test(text) && new RegExp(RULE.source).test(withoutComments(text));
}

/**
 * A YARA rule file: the whole source travels as one ruleset (rules may use each other and
 * imports), and each public rule is an indicator, so a match names its rule. The agent compiles
 * it; a syntax error comes back from every agent as INVALID_PARAMETERS.
 */
export function parseYaraFile(text: string, source: string): IndicatorSet {
  const set: IndicatorSet = { indicators: [], conjunctions: [], untranslated: [] };
  if (text.length > MAX_RULES_CHARS) {
    set.untranslated.push({
      id: source,
      name: source,
      pattern: `${text.length} characters of rules`,
      reason: `a ruleset is at most ${MAX_RULES_CHARS} characters in one action; split the file`,
    });
    return set;
  }
  for (const m of withoutComments(text).matchAll(new RegExp(RULE.source, 'g'))) {
    const name = m[3] ?? '';
    if (/\bprivate\b/.test(m[2] ?? '')) continue;
    set.indicators.push({ id: name, name, kind: 'yara', value: name, rules: text });
  }
  if (set.indicators.length === 0)
    set.untranslated.push({
      id: source,
      name: source,
      pattern: text.slice(0, 80),
      reason: 'no public rule found in it',
    });
  return set;
}
