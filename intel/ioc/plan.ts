import { RE2JS } from 're2js';
import type { Operation, UnsignedAction } from '../../protocol/action.js';
import { newActionId } from '../../protocol/canonical.js';
import { ACTION_LIMITS, MAX_SIGNED_PART_BYTES } from '../../protocol/limits.js';
import { MAX_VALUES as MAX_NETSTAT_VALUES } from '../../modules/netstat/params.js';
import { MAX_PATTERNS as MAX_NAMES_PER_SEARCH, MAX_SEARCHES } from '../../modules/shared/search/params.js';
import { MAX_RULESETS } from '../../modules/yara/params.js';
import type { FileConjunction, Indicator, IndicatorSet } from './indicator.js';

/**
 * Indicators → as few actions as fit the limits: one file search for every hash and name (one
 * walk of the disk, matchany, so each row says which digest or name hit), one search per file
 * conjunction (matchall), netstat for addresses and yara for rule files. An action is closed
 * when its signed part would pass the size cap, or a list its count cap.
 */

export interface IocPlanOptions {
  paths: readonly string[];
  target: string;
  expiryMs: number;
  now: Date;
  /** The action name's stem: `<stem> (1/3)`. */
  name: string;
}

/** Where each indicator went: the action that hunts it and how a row names it. */
export interface PlannedAction {
  action: UnsignedAction;
  indicators: Indicator[];
  conjunctions: { label: string; conjunction: FileConjunction }[];
  /** The yara operation's rulesets in namespace order (ns1 = [0]). */
  rulesets: string[];
}

/** Room in the signed part for everything but the values: ids, name, target, window, keys. */
const ENVELOPE_ROOM_BYTES = 8 * 1024;
const BUDGET_BYTES = MAX_SIGNED_PART_BYTES - ENVELOPE_ROOM_BYTES;

/** The RE2 regex a literal file name becomes (anchored, metacharacters escaped). */
export function nameRegex(indicator: Pick<Indicator, 'value' | 'isRegex'>): string {
  return indicator.isRegex === true ? indicator.value : `^${RE2JS.quote(indicator.value)}$`;
}

class ActionBuilder {
  readonly indicators: Indicator[] = [];
  readonly conjunctions: { label: string; conjunction: FileConjunction }[] = [];
  readonly rulesets: string[] = [];
  private bytes = 0;
  private names = 0;
  private ips = 0;

  /** False when it does not fit: the caller starts the next action. */
  add(indicator: Indicator): boolean {
    const isNewRuleset = indicator.kind === 'yara' && !this.rulesets.includes(indicator.rules ?? '');
    const cost =
      indicator.kind === 'yara'
        ? isNewRuleset
          ? (indicator.rules ?? '').length * 1.2 + 16
          : 0
        : nameRegex(indicator).length * 1.2 + 8;
    if (this.bytes + cost > BUDGET_BYTES && !this.isEmpty) return false;
    if (
      indicator.kind === 'filename' &&
      this.names + 1 > MAX_NAMES_PER_SEARCH * (MAX_SEARCHES - this.conjunctions.length - 1)
    )
      return false;
    if (indicator.kind === 'ip' && this.ips + 1 > MAX_NETSTAT_VALUES * (ACTION_LIMITS.maxOperations - 2)) return false;
    if (isNewRuleset && this.rulesets.length >= MAX_RULESETS) return false;
    if (isNewRuleset) this.rulesets.push(indicator.rules ?? '');
    if (indicator.kind === 'filename') this.names += 1;
    if (indicator.kind === 'ip') this.ips += 1;
    this.bytes += cost;
    this.indicators.push(indicator);
    return true;
  }

  addConjunction(conjunction: FileConjunction): boolean {
    const cost = JSON.stringify(conjunction).length * 1.2 + 64;
    const searches = Math.ceil(this.names / MAX_NAMES_PER_SEARCH) + 1 + this.conjunctions.length;
    if ((this.bytes + cost > BUDGET_BYTES || searches + 1 > MAX_SEARCHES) && !this.isEmpty) return false;
    this.bytes += cost;
    this.conjunctions.push({ label: `ioc-and-${this.conjunctions.length + 1}`, conjunction });
    return true;
  }

  get isEmpty(): boolean {
    return this.indicators.length === 0 && this.conjunctions.length === 0;
  }

  operations(paths: readonly string[]): Operation[] {
    const of = (...kinds: Indicator['kind'][]): string[] =>
      this.indicators.filter((i) => kinds.includes(i.kind)).map((i) => i.value);
    const searches: Record<string, unknown> = {};
    const hashes = { md5: of('md5'), sha1: of('sha1'), sha2: of('sha256', 'sha384', 'sha512'), sha3: of('sha3') };
    const names = this.indicators.filter((i) => i.kind === 'filename').map(nameRegex);
    const nameChunks = chunk(names, MAX_NAMES_PER_SEARCH);
    const hasHashes = Object.values(hashes).some((list) => list.length > 0);
    for (const [n, chunkNames] of (nameChunks.length === 0 && hasHashes ? [[]] : nameChunks).entries()) {
      const search: Record<string, unknown> = { paths: [...paths], options: { matchany: true, returnsha256: true } };
      if (chunkNames.length > 0) search.names = chunkNames;
      // Hashes ride on the first search only: one file read serves every digest.
      if (n === 0) for (const [kind, list] of Object.entries(hashes)) if (list.length > 0) search[kind] = list;
      searches[n === 0 ? 'ioc' : `ioc-${n + 1}`] = search;
    }
    for (const { label, conjunction } of this.conjunctions) {
      const search: Record<string, unknown> = { paths: [...paths], options: { matchall: true, returnsha256: true } };
      if (conjunction.names.length > 0) search.names = conjunction.names;
      for (const { kind, value } of conjunction.hashes) {
        const field = kind === 'md5' || kind === 'sha1' || kind === 'sha3' ? kind : 'sha2';
        search[field] = [...((search[field] as string[] | undefined) ?? []), value];
      }
      searches[label] = search;
    }
    const operations: Operation[] = [];
    if (Object.keys(searches).length > 0) operations.push({ module: 'file', parameters: { searches } });
    for (const ips of chunk(of('ip'), MAX_NETSTAT_VALUES))
      operations.push({ module: 'netstat', parameters: { connectedip: ips } });
    if (this.rulesets.length > 0)
      operations.push({ module: 'yara', parameters: { rules: [...this.rulesets], paths: [...paths] } });
    return operations;
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The actions that hunt `set`: hashes and names first (the most common), then addresses, then rules. */
export function planIocActions(set: IndicatorSet, opts: IocPlanOptions): PlannedAction[] {
  const builders = [new ActionBuilder()];
  const current = (): ActionBuilder => builders[builders.length - 1] as ActionBuilder;
  const order: Indicator['kind'][] = ['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'sha3', 'filename', 'ip', 'yara'];
  const sorted = [...set.indicators].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  for (const indicator of sorted) {
    if (!current().add(indicator)) {
      builders.push(new ActionBuilder());
      current().add(indicator);
    }
  }
  for (const conjunction of set.conjunctions) {
    if (!current().addConjunction(conjunction)) {
      builders.push(new ActionBuilder());
      current().addConjunction(conjunction);
    }
  }
  const used = builders.filter((b) => !b.isEmpty);
  return used.map((b, i) => ({
    action: {
      v: 1,
      id: newActionId(),
      name: (used.length === 1 ? opts.name : `${opts.name} (${i + 1}/${used.length})`).slice(0, 256),
      target: opts.target,
      validFrom: opts.now.toISOString(),
      expireAfter: new Date(opts.now.getTime() + opts.expiryMs).toISOString(),
      operations: b.operations(opts.paths),
    },
    indicators: b.indicators,
    conjunctions: b.conjunctions,
    rulesets: b.rulesets,
  }));
}
