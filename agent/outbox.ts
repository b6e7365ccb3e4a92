import type { KeyObject } from 'node:crypto';
import { answerSigningBytes, signWithAgentKey } from '../protocol/agent-key.js';
import type { WireError } from '../protocol/errors.js';
import {
  HeartbeatMessageSchema,
  MAX_MESSAGE_BYTES,
  MESSAGE_VERSION,
  ResultMessageSchema,
  type AgentResources,
  type HeartbeatMessage,
  type OfflineMessage,
  type OperationResult,
  type ResultMessage,
} from '../protocol/messages.js';
import { describeIssues } from '../protocol/zod-issues.js';
import { platformFacts, type HostFacts } from './facts.js';
import type { OperationStatus } from './run-operation.js';

/**
 * Builders for everything the agent publishes. Each message is checked against its own schema
 * before it leaves: the server parses it strictly, so an invalid one would be lost anyway, and
 * better we say why here.
 */

export interface ResultInput {
  commandId: string;
  actionId?: string;
  status: OperationStatus;
  error?: WireError;
  operations: OperationResult[];
  startedAt: Date;
  finishedAt: Date;
}

/** What an agent signs its answers with: its own key, under the id it publishes as. */
export interface AnswerSigner {
  /** The id of our results topic: the signature binds the answer to it. */
  agentId: string;
  privateKey: KeyObject;
  /** Base64 SPKI DER of the public half, carried in every answer. */
  publicKey: string;
}

/**
 * The result message for `input`, signed by `signer` (after it was checked and fitted: the
 * signature covers exactly what is published, kept and re-published).
 */
export function resultMessage(input: ResultInput, signer?: AnswerSigner): ResultMessage {
  const message = checkedResult(input);
  return signer === undefined ? message : signResult(message, signer);
}

/**
 * Adds the agent's signature. canonical JSON refuses a lone UTF-16 surrogate (a file name that
 * is not valid UTF-8 can hold one); such an answer goes unsigned, which the investigator sees
 * as "unsigned", rather than not at all.
 */
export function signResult(message: ResultMessage, signer: AnswerSigner): ResultMessage {
  const { signature: _previous, ...unsigned } = message;
  let value: string;
  try {
    value = signWithAgentKey(signer.privateKey, answerSigningBytes(signer.agentId, unsigned));
  } catch {
    return unsigned;
  }
  return { ...unsigned, signature: { publicKey: signer.publicKey, value } };
}

function checkedResult(input: ResultInput): ResultMessage {
  const message: ResultMessage = {
    v: MESSAGE_VERSION,
    kind: 'result',
    commandId: input.commandId,
    status: input.status,
    operations: fitRows(input.operations),
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
  };
  if (input.actionId !== undefined) message.actionId = input.actionId;
  if (input.error !== undefined)
    message.error = { code: input.error.code.slice(0, 64), message: input.error.message.slice(0, 4096) };
  const checked = ResultMessageSchema.safeParse(message);
  if (checked.success) return checked.data;
  // Our own bug (a module stat that is not a number...): answer `failed` rather than not at all.
  return {
    ...message,
    status: 'failed',
    operations: [],
    error: {
      code: 'INTERNAL',
      message: `the agent built an invalid result: ${describeIssues(checked.error)}`.slice(0, 4096),
    },
  };
}

/**
 * Each operation is capped by its module's maxBytes, but several of them together could still
 * pass the message limit: empty the largest operations' rows until it fits, and say so.
 */
function fitRows(operations: OperationResult[]): OperationResult[] {
  const budget = MAX_MESSAGE_BYTES - 64 * 1024; // room for the envelope, stats and errors
  const sizes = operations.map((op) => Buffer.byteLength(JSON.stringify(op.rows)));
  let total = sizes.reduce((a, b) => a + b, 0);
  const out = operations.map((op) => ({ ...op }));
  for (const i of sizes.map((_, i) => i).sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0))) {
    const op = out[i];
    if (total <= budget || op === undefined) break;
    total -= sizes[i] ?? 0;
    op.errors = [
      ...op.errors.slice(0, 999),
      `${op.rows.length} rows dropped: the whole result exceeded ${MAX_MESSAGE_BYTES} bytes`,
    ];
    op.rows = [];
  }
  return out;
}

export interface HeartbeatInput {
  host: HostFacts;
  modules: readonly string[];
  heartbeatMs: number;
  startedAt: Date;
  sentAt: Date;
  /** Version of the policy bundle held; 0: the baked config. */
  policyVersion?: number;
  /** The watchdog's last figures (agent/watchdog.ts). */
  resources?: AgentResources;
}

export function heartbeatMessage(input: HeartbeatInput): HeartbeatMessage {
  const { host } = input;
  return HeartbeatMessageSchema.parse({
    v: MESSAGE_VERSION,
    kind: 'heartbeat',
    agentId: host.agentId,
    name: host.name,
    ...platformFacts(host),
    tags: host.tags,
    modules: [...input.modules],
    heartbeatMs: input.heartbeatMs,
    startedAt: input.startedAt.toISOString(),
    sentAt: input.sentAt.toISOString(),
    ...(input.policyVersion === undefined ? {} : { policyVersion: input.policyVersion }),
    ...(input.resources === undefined ? {} : { resources: input.resources }),
  });
}

export function offlineMessage(agentId: string, reason: OfflineMessage['reason']): OfflineMessage {
  return { v: MESSAGE_VERSION, kind: 'offline', agentId, reason };
}
