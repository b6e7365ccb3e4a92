import { z } from 'zod';
import { FingerprintSchema } from './action.js';
import { POLICY_LIMITS, PolicyAdminsSchema } from './policy.js';

/**
 * HTTP bodies of /policy. Bundles travel as their exact text: signatures cover its canonical
 * bytes, and the console re-verifies what it is shown rather than trusting the server.
 */
export const PolicyPostBodySchema = z.strictObject({
  bundle: z.string().min(1).max(POLICY_LIMITS.maxBytes),
});
export type PolicyPostBody = z.infer<typeof PolicyPostBodySchema>;

export const PolicySignatureBodySchema = z.strictObject({
  /** The pending bundle's version: a co-signer signs the bundle they were shown, not a newer one. */
  version: z.number().int().min(1),
  signature: z.string().min(1).max(POLICY_LIMITS.maxSignatureChars),
});
export type PolicySignatureBody = z.infer<typeof PolicySignatureBodySchema>;

export const StoredPolicySchema = z.object({
  version: z.number().int(),
  issuedAt: z.string(),
  /** Distinct admins whose signatures verified. */
  signers: z.array(FingerprintSchema),
  /** The bundle text, exactly as signed. */
  bundle: z.string(),
});
export type StoredPolicyView = z.infer<typeof StoredPolicySchema>;

/** GET /policy. */
export const PolicyViewSchema = z.object({
  current: StoredPolicySchema.optional(),
  /** Signed by fewer admins than needed so far: `mig policy sign` adds one. */
  pending: StoredPolicySchema.extend({ shortfall: z.string() }).optional(),
  /** What the next bundle is checked against: the current bundle's admins, or the server's. */
  trust: z.object({ version: z.number().int(), admins: PolicyAdminsSchema }),
  /** The admin threshold the server asks of new bundles (`mig server --policy-threshold`). */
  threshold: z.number().int().min(1),
});
export type PolicyView = z.infer<typeof PolicyViewSchema>;

/** POST /policy and POST /policy/signatures. */
export const PolicyOutcomeSchema = z.object({
  status: z.enum(['published', 'pending']),
  version: z.number().int(),
  signers: z.array(FingerprintSchema),
  shortfall: z.string().optional(),
  /** Agents the bundle was pushed to right away (others get it at their next heartbeat). */
  pushedTo: z.number().int().optional(),
});
export type PolicyOutcome = z.infer<typeof PolicyOutcomeSchema>;
