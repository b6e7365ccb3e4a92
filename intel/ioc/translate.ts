import { checkActionLimits } from '../../protocol/check-operations.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { DEFAULT_EXPIRY, parseExpiry } from '../../protocol/limits.js';
import { planIocActions, type PlannedAction } from './plan.js';
import { readFeed, type FeedFormat } from './read-feed.js';
import type { IndicatorSet } from './indicator.js';

/** Where a sweep looks when no path is given: what attackers write to, not /proc, /sys or /dev. */
export const DEFAULT_IOC_PATHS = [
  '/bin',
  '/sbin',
  '/usr',
  '/lib',
  '/etc',
  '/home',
  '/root',
  '/tmp',
  '/var',
  '/opt',
  '/srv',
  '/dev/shm',
];

export interface TranslateOptions {
  /** The feed's text. */
  text: string;
  /** Names the feed in messages (a file name). */
  source: string;
  format?: FeedFormat;
  target: string;
  paths?: readonly string[];
  /** `30m`, `1h`… (protocol/limits.ts grammar); default DEFAULT_EXPIRY. */
  expiry?: string;
  /** The actions' name stem; default `mig ioc hunt SOURCE`. */
  name?: string;
  now: Date;
  /** Every planned action is checked against these specs, so a bad path or value fails here. */
  specs: ReadonlyMap<string, AnyModuleSpec>;
}

export interface Translation {
  format: FeedFormat;
  set: IndicatorSet;
  planned: PlannedAction[];
}

/**
 * A feed's text → unsigned actions checked against the module specs, and what was not
 * translated. The one path from a feed to actions for `mig ioc`, POST /ioc and the console.
 * Throws (plain Error, the caller codes it) when the text is not the format, when nothing could
 * be translated, or when an action would break a limit.
 */
export function translateFeed(opts: TranslateOptions): Translation {
  const { format, set } = readFeed(opts.text, opts.source, opts.now, opts.format);
  if (set.indicators.length === 0 && set.conjunctions.length === 0)
    throw new NothingToHuntError(`${opts.source}: no indicator could be translated into a hunt`, set);
  const expiry = parseExpiry(opts.expiry ?? DEFAULT_EXPIRY);
  if (!expiry.ok) throw new Error(`expiry: ${expiry.problem}`);
  const planned = planIocActions(set, {
    paths: opts.paths ?? DEFAULT_IOC_PATHS,
    target: opts.target,
    expiryMs: expiry.ms,
    now: opts.now,
    name: opts.name ?? `mig ioc hunt ${opts.source}`,
  });
  for (const p of planned) checkActionLimits(p.action, opts.specs, opts.now);
  return { format, set, planned };
}

/** The feed parsed but held nothing huntable: its untranslated list says why. */
export class NothingToHuntError extends Error {
  constructor(
    message: string,
    readonly set: IndicatorSet,
  ) {
    super(message);
    this.name = 'NothingToHuntError';
  }
}

/** A short account of what a feed held: `3 sha256, 2 ip, 1 file conjunction` or `nothing to hunt`. */
export function summarizeSet(set: IndicatorSet): string {
  const kinds = new Map<string, number>();
  for (const i of set.indicators) kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
  if (set.conjunctions.length > 0) kinds.set('file conjunction', set.conjunctions.length);
  return [...kinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing to hunt';
}

/** A planned action as POST /ioc returns it: the YARA source is in the action, not repeated per rule. */
export function plannedForWire(p: PlannedAction): {
  action: PlannedAction['action'];
  indicators: Omit<PlannedAction['indicators'][number], 'rules'>[];
  conjunctions: PlannedAction['conjunctions'];
} {
  return {
    action: p.action,
    indicators: p.indicators.map(({ rules: _rules, ...i }) => i),
    conjunctions: p.conjunctions,
  };
}
