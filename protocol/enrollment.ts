import { z } from 'zod';
import { AgentPublicKeySchema, AgentSignatureSchema, agentIdFromPublicKey, verifyAgentSignature } from './agent-key.js';
import { canonicalJsonBytes } from './canonical.js';
import { AgentIdSchema, MESSAGE_VERSION, PLATFORM_FIELDS } from './messages.js';

/**
 * Enrollment (per-agent identity). A new agent proves it holds the key its id derives from and
 * hands the server the broker password it chose; the server stores only the password's sha256
 * and answers pending, accepted or rejected on the agent's status topic. Nothing secret ever
 * travels from the server to the agent.
 */

/** Hard limits on what one enrollment may register: a flood of requests must stay cheap. */
export const ENROLL_LIMITS = {
  /**
   * Whole request on the wire (the broker refuses bigger publishes from enrollees). The fields'
   * own limits (64 addresses, 32 tags, 64 modules) fit in it with room to spare.
   */
  maxRequestBytes: 32 * 1024,
  maxNameChars: 256,
  maxTags: 32,
  maxTagKeyChars: 64,
  maxTagValueChars: 256,
  maxModules: 64,
  /** A request's sentAt may be this far from the server's clock, either way. */
  maxSkewMs: 10 * 60_000,
} as const;

/** Tags an agent may carry: bounded in count and size (enrollment and agent config share it). */
export const AgentTagsSchema = z
  .record(z.string().min(1).max(ENROLL_LIMITS.maxTagKeyChars), z.string().max(ENROLL_LIMITS.maxTagValueChars))
  .refine((tags) => Object.keys(tags).length <= ENROLL_LIMITS.maxTags, {
    message: `expected at most ${ENROLL_LIMITS.maxTags} tags`,
  });

/** 32 random bytes, base64url (no padding): the broker password the agent made. */
export const BrokerPasswordSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'expected 32 random bytes, base64url (43 chars)');

const IsoTime = z.iso.datetime({ offset: true });

/** What the agent says about its host; the same fields its heartbeats carry. */
export const EnrollFactsSchema = z.strictObject({
  ...PLATFORM_FIELDS,
  modules: z.array(z.string().max(40)).max(ENROLL_LIMITS.maxModules),
  heartbeatMs: z.number().int().positive(),
});
export type EnrollFacts = z.infer<typeof EnrollFactsSchema>;

/** Agent → server on `mig/enroll/<agentId>/request`. */
export const EnrollRequestSchema = z.strictObject({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('enroll'),
  agentId: AgentIdSchema,
  publicKey: AgentPublicKeySchema,
  password: BrokerPasswordSchema,
  name: z.string().min(1).max(ENROLL_LIMITS.maxNameChars),
  tags: AgentTagsSchema,
  facts: EnrollFactsSchema,
  sentAt: IsoTime,
  /** Ed25519 by the agent's key over enrollSigningBytes: proof of possession. */
  signature: AgentSignatureSchema,
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;
export type UnsignedEnrollRequest = Omit<EnrollRequest, 'signature'>;

export const ENROLL_STATES = ['pending', 'accepted', 'rejected'] as const;
export type EnrollState = (typeof ENROLL_STATES)[number];

/** Server → agent on `mig/enroll/<agentId>/status`. */
export const EnrollStatusSchema = z.strictObject({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('enroll-status'),
  agentId: AgentIdSchema,
  state: z.enum(ENROLL_STATES),
  reason: z.string().max(512).optional(),
});
export type EnrollStatus = z.infer<typeof EnrollStatusSchema>;

/** The bytes an enrollment signature covers: canonical JSON of the request without `signature`. */
export function enrollSigningBytes(request: Readonly<Record<string, unknown>>): Uint8Array {
  const { signature: _unsigned, ...signed } = request;
  return canonicalJsonBytes(signed);
}

/**
 * How the request's id relates to its key: `derived` (the id is the key's hash, a new agent)
 * or `legacy` (an agent enrolled before ids came from keys binds its first key to its old id;
 * the server allows that only for an id it already knows with no key bound).
 */
export type IdBinding = 'derived' | 'legacy';

export function idBinding(request: Pick<EnrollRequest, 'agentId' | 'publicKey'>): IdBinding {
  return agentIdFromPublicKey(request.publicKey) === request.agentId ? 'derived' : 'legacy';
}

/** The signature covers exactly this request (the schema is strict: no unsigned extra keys). */
export function enrollSignatureValid(request: EnrollRequest): boolean {
  return verifyAgentSignature(request.publicKey, enrollSigningBytes(request), request.signature);
}
