import { z } from 'zod';
import { UnsignedActionSchema } from './action.js';
import { ACTION_LIMITS, parseExpiry } from './limits.js';

/**
 * POST /ioc: a threat-intel feed in, the unsigned actions that hunt it out. The server cannot
 * sign (it holds no investigator key), so it only translates; the client signs each action and
 * POSTs it to /actions as any other. The console parses the answer with these schemas too.
 */

/** The largest feed accepted, in characters: thousands of indicators, a few MB of STIX. */
export const MAX_IOC_FEED_CHARS = 4 * 1024 * 1024;
/** The feed's text escaped inside JSON can double (quotes, backslashes); the rest is small. */
export const MAX_IOC_BODY_BYTES = 2 * MAX_IOC_FEED_CHARS + 64 * 1024;
export const IOC_FEED_FORMATS = ['auto', 'stix', 'yara', 'list'] as const;
export const MAX_IOC_PATHS = 64;

export const IocRequestSchema = z.strictObject({
  /** The feed file's text, as it was read. */
  feed: z
    .string()
    .min(1, 'expected the feed text, not an empty string')
    .max(MAX_IOC_FEED_CHARS, `expected at most ${MAX_IOC_FEED_CHARS} characters of feed; split the feed`),
  format: z.enum(IOC_FEED_FORMATS).default('auto'),
  /** Names the feed in messages and the actions' names (a file name); never opened by the server. */
  source: z.string().min(1).max(200).default('feed'),
  target: z.string().min(1).max(ACTION_LIMITS.maxTargetChars).optional(),
  /** Where file and YARA indicators are searched; the server's defaults when absent. */
  paths: z.array(z.string().regex(/^\//, 'expected an absolute path').max(4096)).min(1).max(MAX_IOC_PATHS).optional(),
  expiry: z
    .string()
    .superRefine((text, ctx) => {
      const expiry = parseExpiry(text);
      if (!expiry.ok) ctx.addIssue({ code: 'custom', message: expiry.problem });
    })
    .optional(),
  name: z.string().min(1).max(256).optional(),
});
export type IocRequest = z.input<typeof IocRequestSchema>;

const IndicatorKindSchema = z.enum(['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'sha3', 'filename', 'ip', 'yara']);

export const IocIndicatorSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: IndicatorKindSchema,
  value: z.string(),
  isRegex: z.boolean().optional(),
});

export const IocUntranslatedSchema = z.object({
  id: z.string(),
  name: z.string(),
  pattern: z.string(),
  reason: z.string(),
});
export type IocUntranslated = z.infer<typeof IocUntranslatedSchema>;

export const IocPlannedActionSchema = z.object({
  action: UnsignedActionSchema,
  /** The indicators this action hunts (a YARA rule's source is in the action, not repeated here). */
  indicators: z.array(IocIndicatorSchema),
  conjunctions: z.array(
    z.object({
      label: z.string(),
      conjunction: z.object({
        id: z.string(),
        name: z.string(),
        names: z.array(z.string()),
        hashes: z.array(z.object({ kind: IndicatorKindSchema, value: z.string() })),
      }),
    }),
  ),
});
export type IocPlannedAction = z.infer<typeof IocPlannedActionSchema>;

export const IocResponseSchema = z.object({
  format: z.enum(['stix', 'yara', 'list']),
  /** Unsigned: sign each, then POST it to /actions. */
  actions: z.array(IocPlannedActionSchema),
  /** Every indicator, or part of one, that could not become a hunt, with the reason. */
  untranslated: z.array(IocUntranslatedSchema),
});
export type IocResponse = z.infer<typeof IocResponseSchema>;
