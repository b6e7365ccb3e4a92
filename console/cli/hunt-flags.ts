import { z } from 'zod';
import { ActionIdSchema } from '../../protocol/action.js';
import { ACTION_LIMITS, DEFAULT_EXPIRY, formatDuration, parseExpiry } from '../../protocol/limits.js';
import type { AnyModuleSpec, FlagHint } from '../../protocol/module-spec.js';
import { deriveFlags } from '../flags/fields.js';
import { RENDER_FORMATS } from '../render/renderer.js';
import { DEFAULT_TARGET } from '../../protocol/target/index.js';

/**
 * Flags every hunt (`mig <module> ...`) takes besides the module's own. Parsed with the same
 * parser as module flags, from their own slice of argv (see splitHuntArgv).
 */
/** `30s`, `5m`, `1h30m`, `2d` → milliseconds; undefined when it is not a validity window agents accept. */
export function parseDuration(text: string): number | undefined {
  const expiry = parseExpiry(text);
  return expiry.ok ? expiry.ms : undefined;
}

/** A validity window (`-e`): the grammar and bounds of protocol/limits.ts, as the launcher and server use. */
export const DurationFlag = z.string().superRefine((text, ctx) => {
  const expiry = parseExpiry(text);
  if (!expiry.ok) ctx.addIssue({ code: 'custom', message: expiry.expected });
});

export { DEFAULT_TARGET };
export const LOCAL_TARGET = 'local';

export const HuntFlagsSchema = z.object({
  target: z
    .string()
    .min(1)
    .optional()
    .describe(
      `which agents: a target expression, 'all', or 'local' to run here without a server (default: ${DEFAULT_TARGET})`,
    ),
  expiry: DurationFlag.default(DEFAULT_EXPIRY).describe(
    `how long agents may start the action: 30s, 5m, 1h30m, 2d (at most ${formatDuration(ACTION_LIMITS.maxValidityMs)})`,
  ),
  show: z.enum(['found', 'notfound', 'all']).default('found').describe('which answers to print (all adds failures)'),
  render: z.enum(RENDER_FORMATS).default('text').describe('output format on stdout'),
  'target-found': ActionIdSchema.optional().describe(
    "only agents that found something in this earlier action: adds and found('<id>')",
  ),
  'target-notfound': ActionIdSchema.optional().describe(
    "only agents that found nothing in this earlier action: adds and notfound('<id>')",
  ),
  'action-name': z.string().min(1).max(256).optional().describe('name of the action (default: the command line)'),
  yes: z.boolean().default(false).describe('launch at once, without the 3 second countdown'),
  out: z.string().min(1).optional().describe('write the results to this file instead of stdout; its path is printed'),
});
export type HuntFlags = z.output<typeof HuntFlagsSchema>;

export const HUNT_FLAG_HINTS: Readonly<Record<string, FlagHint>> = {
  target: { alias: 't' },
  expiry: { alias: 'e' },
  yes: { alias: 'y' },
};

/** Every spelling of each field's flag, plus whether it takes a value. */
function flagNames(schema: z.ZodObject, hints: Readonly<Record<string, FlagHint>>): Map<string, boolean> {
  const names = new Map<string, boolean>();
  for (const field of deriveFlags(schema, hints))
    for (const name of field.names) names.set(name, field.kind !== 'boolean');
  return names;
}

/**
 * Splits a hunt's argv into the common flags and the module's. A name both claim belongs to the
 * module (so a future module's flag is never hijacked); a module flag's value is skipped over, and, like
 * parseFlags, a known flag is never taken as the previous flag's value.
 */
export function splitHuntArgv(argv: readonly string[], spec: AnyModuleSpec): { common: string[]; module: string[] } {
  const moduleFlags = flagNames(spec.cli.schema, spec.cli.flags);
  const commonFlags = flagNames(HuntFlagsSchema, HUNT_FLAG_HINTS);
  const common: string[] = [];
  const module: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      module.push(...argv.slice(i));
      break;
    }
    const m = /^--?([^-=][^=]*)(=[\s\S]*)?$/.exec(arg);
    const name = m?.[1];
    const hasInline = m?.[2] !== undefined;
    const isModule = name !== undefined && moduleFlags.has(name);
    const target = !isModule && name !== undefined && commonFlags.has(name) ? common : module;
    target.push(arg);
    const takesValue = name !== undefined && (isModule ? moduleFlags.get(name) : commonFlags.get(name)) === true;
    // Like parseFlags: a known flag is never taken as the previous flag's value.
    const next = argv[i + 1];
    const nextName = next === undefined ? undefined : /^--?([^-=][^=]*)/.exec(next)?.[1];
    const isNextFlag =
      nextName !== undefined &&
      (moduleFlags.has(nextName) || commonFlags.has(nextName) || nextName === 'h' || nextName === 'help');
    if (takesValue && !hasInline && next !== undefined && !isNextFlag) {
      target.push(next);
      i++;
    }
  }
  return { common, module };
}

/** The target the action carries: the base (or the default) narrowed by earlier actions' results. */
export function composeTarget(flags: Pick<HuntFlags, 'target' | 'target-found' | 'target-notfound'>): string {
  const terms: string[] = [];
  if (flags['target-found'] !== undefined) terms.push(`found('${flags['target-found']}')`);
  if (flags['target-notfound'] !== undefined) terms.push(`notfound('${flags['target-notfound']}')`);
  const base = flags.target ?? DEFAULT_TARGET;
  return terms.length === 0 ? base : [`(${base})`, ...terms].join(' and ');
}
