import { z } from 'zod';
import { ACTION_STATUSES, COMMAND_STATUSES, FingerprintSchema, SignedActionSchema } from './action.js';
import { ACTION_LIMITS } from './limits.js';
import { AgentPublicKeySchema, AgentSignatureSchema } from './agent-key.js';
import { AgentCommandStatusSchema, EnvironmentSchema, OperationResultSchema, WireErrorSchema } from './messages.js';

/**
 * HTTP API records (server → console) and request bodies (console → server). The console parses
 * every response with these too: the server is not trusted with authority, only with data.
 * All routes live under API_PREFIX; errors are `{ error: { code, message, hint? } }`.
 */
export const API_PREFIX = '/api/v1';
const IsoTime = z.iso.datetime({ offset: true });

export const AGENT_STATUSES = ['online', 'idle', 'offline', 'destroyed'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const AgentRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  os: z.string(),
  arch: z.string(),
  version: z.string(),
  mode: z.string(),
  queueloc: z.string(),
  environment: EnvironmentSchema,
  tags: z.record(z.string(), z.string()),
  modules: z.array(z.string()),
  status: z.enum(AGENT_STATUSES),
  heartbeatMs: z.number(),
  startedAt: IsoTime,
  firstSeenAt: IsoTime,
  lastHeartbeatAt: IsoTime,
  /** Policy bundle version the agent reported holding (0: baked config only; absent: an older agent). */
  policyVersion: z.number().int().min(0).optional(),
  /**
   * Enrollment state (per-agent identity). Absent on a record from before enrollment existed:
   * such an agent stays targeted and binds its first key when it re-enrolls.
   */
  enrollment: z.enum(['pending', 'accepted', 'rejected']).optional(),
  /** The agent's Ed25519 public key (base64 SPKI) once it enrolled: answers verify against it. */
  publicKey: AgentPublicKeySchema.optional(),
  /** When an admin (or auto-accept) decided, and who (fingerprint or 'auto-accept'). */
  decidedAt: IsoTime.optional(),
  decidedBy: z.string().max(64).optional(),
});
export type AgentRecord = z.infer<typeof AgentRecordSchema>;

// Alike on purpose (duplicates): one schema an API record, a field a line; records share their
// shape, not logic.
export const CountersSchema = z.object({
  /** Agents the target matched when the action was scheduled. */
  targeted: z.number(),
  sent: z.number(),
  success: z.number(),
  failed: z.number(),
  timeout: z.number(),
  expired: z.number(),
  cancelled: z.number(),
  /** Terminal commands. */
  done: z.number(),
  /** Commands whose result said something was found. */
  found: z.number(),
});
export type Counters = z.infer<typeof CountersSchema>;

/** An action's counters before any command: the server starts from them, tests build on them. */
export function emptyCounters(): Counters {
  return { targeted: 0, sent: 0, success: 0, failed: 0, timeout: 0, expired: 0, cancelled: 0, done: 0, found: 0 };
}

/**
 * The two-person rule as the server applies it: an action whose modules need more distinct
 * signers than it carries waits, `pending`, until other investigators add their signatures
 * (POST /actions/:id/signatures). Agents enforce their own ACL regardless.
 */
export const ApprovalSchema = z.object({
  /** Distinct signers the server waits for before it launches the action. */
  required: z.number().int().min(1),
  /** Fingerprints of the distinct verified signers so far, in signing order. */
  signers: z.array(FingerprintSchema),
});
export type Approval = z.infer<typeof ApprovalSchema>;

export const ActionRecordSchema = z.object({
  action: SignedActionSchema,
  status: z.enum(ACTION_STATUSES),
  /** Fingerprints of the verified signers. */
  investigators: z.array(FingerprintSchema),
  counters: CountersSchema,
  createdAt: IsoTime,
  finishedAt: IsoTime.optional(),
  /** Why the action is `invalid`, was cancelled, or is `pending approval`. */
  reason: z.string().optional(),
  /** Present when the action's modules need more than one signer. */
  approval: ApprovalSchema.optional(),
});
export type ActionRecord = z.infer<typeof ActionRecordSchema>;

/** The `reason` of an action held for more signatures. */
export const PENDING_APPROVAL_REASON = 'pending approval';

/** True while the server holds the action for more signatures (it launches once they arrive). */
export function isAwaitingApproval(record: Pick<ActionRecord, 'status' | 'approval'>): boolean {
  return (
    record.status === 'pending' &&
    record.approval !== undefined &&
    record.approval.signers.length < record.approval.required
  );
}

/** POST /actions/:id/signatures: one more armored detached signature over the action's canonical bytes. */
export const AddSignatureBodySchema = z.strictObject({
  signature: z.string().min(1).max(ACTION_LIMITS.maxSignatureChars),
});
export type AddSignatureBody = z.infer<typeof AddSignatureBodySchema>;

export const AgentAnswerSchema = z.object({
  /** The agent's own status, start and finish times, as it signed them. */
  status: AgentCommandStatusSchema,
  startedAt: IsoTime,
  finishedAt: IsoTime,
  /** false when the agent answered without an action id (it could not read the action); absent: it named the record's action. */
  hasActionId: z.literal(false).optional(),
  signature: z.object({ publicKey: AgentPublicKeySchema, value: AgentSignatureSchema }),
});
export type AgentAnswer = z.infer<typeof AgentAnswerSchema>;

export const CommandRecordSchema = z.object({
  id: z.string(),
  actionId: z.string(),
  agentId: z.string(),
  agentName: z.string(),
  status: z.enum(COMMAND_STATUSES),
  createdAt: IsoTime,
  sentAt: IsoTime.optional(),
  finishedAt: IsoTime.optional(),
  isFound: z.boolean().optional(),
  error: WireErrorSchema.optional(),
  operations: z.array(OperationResultSchema).optional(),
  /**
   * What the agent signed when it answered (protocol/agent-key.ts), kept so that an
   * investigator can check the answer without trusting the server: the result message is
   * rebuilt from this record (protocol/answer-check.ts) and checked against the signature.
   */
  agentAnswer: AgentAnswerSchema.optional(),
});
export type CommandRecord = z.infer<typeof CommandRecordSchema>;

export const InvestigatorRecordSchema = z.object({
  fingerprint: FingerprintSchema,
  name: z.string(),
  publicKey: z.string(),
  isAdmin: z.boolean(),
  status: z.enum(['active', 'disabled']),
  createdAt: IsoTime,
});
export type InvestigatorRecord = z.infer<typeof InvestigatorRecordSchema>;

export const NewInvestigatorBodySchema = z.strictObject({
  name: z.string().min(1).max(128),
  publicKey: z
    .string()
    .min(1)
    .max(64 * 1024),
  isAdmin: z.boolean().default(false),
});

export const ApiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }),
});

/** Server-Sent Events on GET /events (optionally ?actionId=): one JSON per `data:` line. */
export const LiveEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('action'), action: ActionRecordSchema }),
  z.object({ type: z.literal('command'), command: CommandRecordSchema }),
  z.object({ type: z.literal('agent'), agent: AgentRecordSchema }),
]);
export type LiveEvent = z.infer<typeof LiveEventSchema>;

/** Response bodies. */
export const AgentListSchema = z.object({ agents: z.array(AgentRecordSchema), total: z.number() });
/** POST /agents/accept-all: the ids an admin accepted at once. */
export const AcceptedAgentsSchema = z.object({ accepted: z.array(z.string()) });
export const AgentCountSchema = z.object({
  total: z.number(),
  online: z.number(),
  idle: z.number(),
  offline: z.number(),
});
export const ActionListSchema = z.object({ actions: z.array(ActionRecordSchema), total: z.number() });
export const CommandListSchema = z.object({ commands: z.array(CommandRecordSchema), total: z.number() });
export const InvestigatorListSchema = z.object({ investigators: z.array(InvestigatorRecordSchema) });
