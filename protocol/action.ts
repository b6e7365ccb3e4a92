import { z } from 'zod';
import { ACTION_LIMITS } from './limits.js';

export const ACTION_VERSION = 1;

/** 128 bits or more of signer-chosen randomness, lowercase hex: covered by the signature. */
export const ActionIdSchema = z
  .string()
  .regex(/^[0-9a-f]{32,64}$/, 'expected 32 to 64 lowercase hex characters (a random id of 128 bits or more)');

/** OpenPGP fingerprints travel as lowercase hex (v4: 40 chars, v6: 64 chars). */
export const FingerprintSchema = z
  .string()
  .regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'expected a 40 or 64 hex character OpenPGP fingerprint (lowercase)');

const IsoTime = z.iso.datetime({ offset: true });

export const OperationSchema = z.strictObject({
  module: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a kebab-case module name'),
  parameters: z.record(z.string(), z.unknown()),
});

export const ThreatSchema = z.strictObject({
  level: z.string().max(64).optional(),
  family: z.string().max(64).optional(),
  type: z.string().max(64).optional(),
  ref: z.string().max(512).optional(),
});

/** The signed part of an action. Strict: an unknown key is refused, never ignored. */
export const UnsignedActionSchema = z.strictObject({
  v: z.literal(ACTION_VERSION),
  id: ActionIdSchema,
  name: z.string().min(1).max(256),
  target: z.string().max(ACTION_LIMITS.maxTargetChars),
  validFrom: IsoTime,
  expireAfter: IsoTime,
  operations: z.array(OperationSchema).min(1).max(ACTION_LIMITS.maxOperations),
  description: z.string().max(4096).optional(),
  threat: ThreatSchema.optional(),
});

export const SignedActionSchema = UnsignedActionSchema.extend({
  signatures: z.array(z.string().max(ACTION_LIMITS.maxSignatureChars)).max(ACTION_LIMITS.maxSignatures),
});

export type Operation = z.infer<typeof OperationSchema>;
export type UnsignedAction = z.infer<typeof UnsignedActionSchema>;
export type SignedAction = z.infer<typeof SignedActionSchema>;

/** Server-side lifecycle of an action; agents never see these. */
export const ACTION_STATUSES = ['pending', 'inflight', 'completed', 'expired', 'cancelled', 'invalid'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const COMMAND_STATUSES = ['sent', 'success', 'failed', 'timeout', 'expired', 'cancelled'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];
export const TERMINAL_COMMAND_STATUSES: ReadonlySet<CommandStatus> = new Set([
  'success',
  'failed',
  'timeout',
  'expired',
  'cancelled',
]);
