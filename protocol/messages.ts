import { z } from 'zod';
import { ActionIdSchema, COMMAND_STATUSES } from './action.js';
import { ACTION_LIMITS } from './limits.js';
import { POLICY_LIMITS } from './policy.js';
import { AgentPublicKeySchema, AgentSignatureSchema } from './agent-key.js';
import { AGENT_ID_PATTERN } from './topics.js';

/**
 * MQTT payloads, tagged on `kind` with a version `v`. Parsed with these schemas at every
 * boundary: never `JSON.parse(x) as T`.
 */
export const MESSAGE_VERSION = 1;
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export const AgentIdSchema = z.string().regex(AGENT_ID_PATTERN, 'expected an agent id (3-64 chars of a-z, 0-9, -)');
export const CommandIdSchema = z.string().regex(/^[0-9a-f]{16,64}$/, 'expected a hex command id');
const IsoTime = z.iso.datetime({ offset: true });

/**
 * Server → agent. `action` is the signed action exactly as the investigator produced it, as a
 * JSON string: the agent parses and verifies it itself and trusts nothing else in this envelope.
 */
export const CommandMessageSchema = z.strictObject({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('command'),
  commandId: CommandIdSchema,
  action: z.string().max(ACTION_LIMITS.maxActionBytes),
});
export type CommandMessage = z.infer<typeof CommandMessageSchema>;

/** Server → agent: stop running a command (best effort; the action's signature still rules). */
export const CancelMessageSchema = z.strictObject({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('cancel'),
  commandId: CommandIdSchema,
});
export type CancelMessage = z.infer<typeof CancelMessageSchema>;

// Alike on purpose (duplicates): one schema a message kind (tagged on `kind`, versioned by `v`),
// then one union a direction; they share their shape, not logic.
/**
 * Server → agent: a policy bundle (protocol/policy.ts) as its exact JSON text. The server only
 * relays it; the agent verifies the admins' signatures over these bytes itself.
 */
export const PolicyMessageSchema = z.strictObject({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('policy'),
  bundle: z.string().max(POLICY_LIMITS.maxBytes),
});
export type PolicyMessage = z.infer<typeof PolicyMessageSchema>;

export const ServerToAgentSchema = z.discriminatedUnion('kind', [
  CommandMessageSchema,
  CancelMessageSchema,
  PolicyMessageSchema,
]);
export type ServerToAgent = z.infer<typeof ServerToAgentSchema>;

export const WireErrorSchema = z.strictObject({ code: z.string().max(64), message: z.string().max(4096) });

/** One operation's answer. Rows were already filtered through the module's result schema. */
export const OperationResultSchema = z.strictObject({
  module: z.string().max(40),
  /** true when the module found what it looked for (for file: at least one matching file). */
  isFound: z.boolean(),
  rows: z.array(z.record(z.string(), z.unknown())).max(100_000),
  stats: z.record(z.string(), z.number()),
  /** Non-fatal problems: unreadable files, walk errors, truncation notices. */
  errors: z.array(z.string().max(2048)).max(1000),
  error: WireErrorSchema.optional(),
});
export type OperationResult = z.infer<typeof OperationResultSchema>;

export const AgentCommandStatusSchema = z.enum(
  COMMAND_STATUSES.filter((s) => s !== 'sent' && s !== 'expired') as ['success', 'failed', 'timeout', 'cancelled'],
);

/** Agent → server, on the agent's own results topic. */
export const ResultMessageSchema = z.strictObject({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('result'),
  commandId: CommandIdSchema,
  /** Absent when the action could not even be parsed. */
  actionId: ActionIdSchema.optional(),
  status: AgentCommandStatusSchema,
  /** Why the whole command failed (acceptance refusal, timeout); operations may be empty then. */
  error: WireErrorSchema.optional(),
  operations: z.array(OperationResultSchema).max(16),
  startedAt: IsoTime,
  finishedAt: IsoTime,
  /**
   * The agent's Ed25519 signature over answerSigningBytes(agentId, this message without
   * `signature`) and the public key it signed with (protocol/agent-key.ts): lets an
   * investigator check the answer without trusting the server or the broker. Absent from
   * agents older than signed answers.
   */
  signature: z.strictObject({ publicKey: AgentPublicKeySchema, value: AgentSignatureSchema }).optional(),
});
export type ResultMessage = z.infer<typeof ResultMessageSchema>;

export const EnvironmentSchema = z.strictObject({
  ident: z.string().max(256),
  init: z.string().max(64),
  addresses: z.array(z.string().max(64)).max(64),
  hostname: z.string().max(256),
});

/**
 * The platform an agent reports, with the same bounds wherever it says it: in every heartbeat
 * and in its enrollment request (protocol/enrollment.ts).
 */
export const PLATFORM_FIELDS = {
  os: z.string().max(32),
  arch: z.string().max(32),
  version: z.string().max(64),
  mode: z.string().max(32),
  queueloc: z.string().max(256),
  environment: EnvironmentSchema,
};

/**
 * What the agent's watchdog saw at its last check: resident memory of the whole agent process,
 * CPU over the last check interval in percent of one core (200: two cores busy), and how often
 * it restarted the module workers for going over a limit, with the last time and why.
 */
export const AgentResourcesSchema = z.strictObject({
  rssMb: z.number().int().min(0).max(1_048_576),
  cpuPercent: z.number().min(0).max(100_000),
  watchdogRestarts: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  lastRestart: z.strictObject({ at: IsoTime, reason: z.string().max(256) }).optional(),
});
export type AgentResources = z.infer<typeof AgentResourcesSchema>;

/** Agent → server, every heartbeat interval and on connect. */
export const HeartbeatMessageSchema = z.strictObject({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('heartbeat'),
  agentId: AgentIdSchema,
  name: z.string().max(256),
  ...PLATFORM_FIELDS,
  tags: z.record(z.string().max(64), z.string().max(256)),
  modules: z.array(z.string().max(40)).max(64),
  heartbeatMs: z.number().int().positive(),
  startedAt: IsoTime,
  sentAt: IsoTime,
  /** Version of the policy bundle the agent holds; 0: its baked config only. Absent: an older agent. */
  policyVersion: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /** The agent's own footprint as its watchdog measured it (agent/watchdog.ts). Absent: an older agent. */
  resources: AgentResourcesSchema.optional(),
});
export type HeartbeatMessage = z.infer<typeof HeartbeatMessageSchema>;

/** A heartbeat is a few hundred bytes; anything near this is hostile: the server drops it unparsed. */
export const MAX_HEARTBEAT_BYTES = 64 * 1024;

/** Published by the broker as the agent's last will, or by the agent on clean shutdown. */
export const OfflineMessageSchema = z.strictObject({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('offline'),
  agentId: AgentIdSchema,
  reason: z.enum(['shutdown', 'lost', 'destroyed']),
});
export type OfflineMessage = z.infer<typeof OfflineMessageSchema>;

export const AgentToServerSchema = z.discriminatedUnion('kind', [
  ResultMessageSchema,
  HeartbeatMessageSchema,
  OfflineMessageSchema,
]);
export type AgentToServer = z.infer<typeof AgentToServerSchema>;
