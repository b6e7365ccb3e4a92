import { RE2JS } from 're2js';
import { z } from 'zod';
import {
  HASH_KINDS_BY_LENGTH,
  valueOfKind,
  type FileConjunction,
  type IndicatorKind,
  type IndicatorSet,
} from './indicator.js';
import { parseStixPattern, type Comparison, type Observation } from './stix-pattern.js';
import { parseYaraFile } from './yara-file.js';

const IndicatorObject = z.looseObject({
  type: z.literal('indicator'),
  id: z.string().min(1).max(256),
  name: z.string().max(1024).optional(),
  pattern: z.string().max(200_000),
  pattern_type: z.string().max(64).default('stix'),
  valid_until: z.string().optional(),
  revoked: z.boolean().optional(),
});
const Bundle = z.looseObject({
  type: z.literal('bundle'),
  objects: z.array(z.looseObject({ type: z.string() })).max(1_000_000),
});

/** STIX hash names (and the spellings feeds use) → the kind an agent checks. */
const STIX_HASHES: Readonly<Record<string, IndicatorKind>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  SHA1: 'sha1',
  'SHA-256': 'sha256',
  SHA256: 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  SHA512: 'sha512',
  'SHA3-256': 'sha3',
  'SHA3-512': 'sha3',
};
const IP_PATHS = new Set([
  'ipv4-addr:value',
  'ipv6-addr:value',
  'network-traffic:dst_ref.value',
  'network-traffic:src_ref.value',
]);
const UNSEEN: Readonly<Record<string, string>> = {
  'domain-name': 'no module resolves or sees DNS names on an endpoint; resolve the name and hunt its addresses',
  url: 'no module sees URLs on an endpoint',
  'email-addr': 'no module reads mail on an endpoint',
  'email-message': 'no module reads mail on an endpoint',
  'windows-registry-key': 'agents run on Linux: there is no registry to read',
  'x509-certificate': 'no module inspects certificates yet',
  process: 'process patterns are not translated yet: use mig process with a name regex',
  'user-account': 'account patterns are not translated yet',
  'mac-addr': 'MAC patterns are not translated yet: use mig netstat -localmac/-neighbormac',
};

type Part = { kind: IndicatorKind | 'nameregex'; value: string };
type Translated = { parts: Part[]; conjunctions: Omit<FileConjunction, 'id' | 'name'>[]; problems: string[] };

/** LIKE: % is any run, _ one character; everything else literal. */
function likeToRegex(like: string): string {
  return `^${[...like].map((c) => (c === '%' ? '.*' : c === '_' ? '.' : RE2JS.quote(c))).join('')}$`;
}

/** One comparison → the values it hunts, or why it cannot be hunted. */
function comparisonParts(cmp: Extract<Comparison, { type: 'cmp' }>): Part[] | string {
  const text = `${cmp.path} ${cmp.negated ? 'NOT ' : ''}${cmp.op}`;
  if (cmp.negated || cmp.op === '!=' || cmp.op === '<>')
    return `${text}: a negation matches almost everything on a host`;
  const type = cmp.path.slice(0, cmp.path.indexOf(':'));
  const hash = /^file:hashes\.(?:'([^']+)'|([A-Za-z0-9-]+))$/.exec(cmp.path);
  if (hash !== null) {
    const name = (hash[1] ?? hash[2] ?? '').toUpperCase();
    const kind = STIX_HASHES[name];
    if (kind === undefined)
      return `${text}: agents do not compute ${name} (fuzzy hashes such as SSDEEP and TLSH included)`;
    if (cmp.op !== '=' && cmp.op !== 'IN') return `${text}: hashes compare with = or IN only`;
    const parts: Part[] = [];
    for (const v of cmp.values) {
      const checked =
        kind === 'sha3'
          ? valueOfKind('sha3', v)
          : HASH_KINDS_BY_LENGTH.get(v.length) === kind
            ? valueOfKind(kind, v)
            : { reason: `expected a ${name} digest, got ${JSON.stringify(v.slice(0, 140))}` };
      if ('reason' in checked) return `${text}: ${checked.reason}`;
      parts.push(checked);
    }
    return parts;
  }
  if (cmp.path === 'file:name') {
    if (cmp.op === '=' || cmp.op === 'IN') return cmp.values.map((value) => ({ kind: 'filename', value }));
    if (cmp.op === 'LIKE') return cmp.values.map((v) => ({ kind: 'nameregex', value: likeToRegex(v) }));
    if (cmp.op === 'MATCHES') {
      for (const v of cmp.values) {
        try {
          RE2JS.compile(v);
        } catch (err) {
          return `${text} '${v}': not an RE2 regular expression agents can run linearly (${(err as Error).message})`;
        }
      }
      return cmp.values.map((value) => ({ kind: 'nameregex', value }));
    }
    return `${text}: file names compare with =, IN, LIKE or MATCHES`;
  }
  if (IP_PATHS.has(cmp.path)) {
    if (!['=', 'IN', 'ISSUBSET'].includes(cmp.op)) return `${text}: addresses compare with =, IN or ISSUBSET`;
    const parts: Part[] = [];
    for (const v of cmp.values) {
      const checked = valueOfKind('ip', v);
      if ('reason' in checked) return `${text} '${v}': ${checked.reason}`;
      parts.push(checked);
    }
    return parts;
  }
  if (UNSEEN[type] !== undefined) return `${cmp.path}: ${UNSEEN[type]}`;
  return `${cmp.path}: not translated (files by name or hash, and IP addresses, are)`;
}

/** `[file:name = 'a' AND file:hashes.MD5 = 'b']`: one file must hold all of it. */
function conjunction(items: Comparison[]): Omit<FileConjunction, 'id' | 'name'> | string {
  const out: Omit<FileConjunction, 'id' | 'name'> = { names: [], hashes: [] };
  for (const item of items) {
    if (item.type !== 'cmp' || !item.path.startsWith('file:') || item.values.length !== 1)
      return 'an AND is translated only between single file:name and file:hashes comparisons';
    const parts = comparisonParts(item);
    if (typeof parts === 'string') return parts;
    for (const p of parts) {
      if (p.kind === 'filename') out.names.push(`^${RE2JS.quote(p.value)}$`);
      else if (p.kind === 'nameregex') out.names.push(p.value);
      else out.hashes.push({ kind: p.kind, value: p.value });
    }
  }
  return out;
}

function translateComparison(c: Comparison, into: Translated): void {
  if (c.type === 'any') {
    for (const item of c.items) translateComparison(item, into);
    return;
  }
  if (c.type === 'all') {
    const conj = conjunction(c.items);
    if (typeof conj === 'string') into.problems.push(conj);
    else into.conjunctions.push(conj);
    return;
  }
  const parts = comparisonParts(c);
  if (typeof parts === 'string') into.problems.push(parts);
  else into.parts.push(...parts);
}

/** OR branches are hunted each on its own (what cannot be is listed); AND, FOLLOWEDBY and qualifiers are not. */
function translateObservation(o: Observation, into: Translated): void {
  if (o.type === 'unit') return translateComparison(o.comparison, into);
  if (o.type === 'or') return o.items.forEach((item) => translateObservation(item, into));
  if (o.type === 'qualified') {
    into.problems.push(
      `${o.qualifier}: qualifiers describe a stream of events over time; a hunt looks at each host's state now`,
    );
    return;
  }
  into.problems.push(
    o.type === 'and'
      ? 'an AND between observations needs all of them on one host: hunt each part and narrow with -target-found ACTION'
      : 'FOLLOWEDBY orders events in time; a hunt looks at each host now',
  );
}

/** A STIX 2.1 bundle (or one indicator object): every indicator hunted as far as it can be, the rest listed. */
export function parseStix(raw: unknown, now: Date): IndicatorSet {
  const set: IndicatorSet = { indicators: [], conjunctions: [], untranslated: [] };
  const single = IndicatorObject.safeParse(raw);
  let objects: unknown[];
  if (single.success) objects = [raw];
  else {
    const bundle = Bundle.safeParse(raw);
    if (!bundle.success)
      throw new Error('expected a STIX 2.1 bundle ({"type": "bundle", "objects": [...]}) or an indicator object');
    objects = bundle.data.objects.filter((o) => o.type === 'indicator');
  }
  for (const [index, object] of objects.entries()) {
    const parsed = IndicatorObject.safeParse(object);
    if (!parsed.success) {
      set.untranslated.push({
        id: `objects[${index}]`,
        name: '',
        pattern: '',
        reason: `not a STIX indicator: ${parsed.error.issues[0]?.message ?? ''}`,
      });
      continue;
    }
    const ind = parsed.data;
    const name = ind.name ?? ind.id;
    const listed = (reason: string): void =>
      void set.untranslated.push({ id: ind.id, name, pattern: ind.pattern, reason });
    if (ind.revoked === true) {
      listed('revoked by its producer');
      continue;
    }
    if (ind.valid_until !== undefined && Date.parse(ind.valid_until) < now.getTime()) {
      listed(`expired (valid_until ${ind.valid_until})`);
      continue;
    }
    if (ind.pattern_type === 'yara') {
      const rules = parseYaraFile(ind.pattern, ind.id);
      set.indicators.push(...rules.indicators.map((r) => ({ ...r, id: ind.id, name: `${name} (rule ${r.value})` })));
      for (const u of rules.untranslated) listed(u.reason);
      continue;
    }
    if (ind.pattern_type !== 'stix') {
      listed(`pattern_type ${ind.pattern_type}: only stix and yara patterns are translated`);
      continue;
    }
    let observation: Observation;
    try {
      observation = parseStixPattern(ind.pattern);
    } catch (err) {
      listed(`not a STIX pattern: ${(err as Error).message}`);
      continue;
    }
    const into: Translated = { parts: [], conjunctions: [], problems: [] };
    translateObservation(observation, into);
    for (const part of into.parts)
      set.indicators.push({
        id: ind.id,
        name,
        kind: part.kind === 'nameregex' ? 'filename' : part.kind,
        value: part.value,
        ...(part.kind === 'nameregex' ? { isRegex: true } : {}),
      });
    for (const conj of into.conjunctions) set.conjunctions.push({ id: ind.id, name, ...conj });
    for (const problem of into.problems)
      listed(into.parts.length + into.conjunctions.length > 0 ? `part not hunted: ${problem}` : problem);
  }
  return set;
}
