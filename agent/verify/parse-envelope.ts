import { SignedActionSchema, type SignedAction } from '../../protocol/action.js';
import { ProtocolError } from '../../protocol/errors.js';
import { ACTION_LIMITS, MAX_ENVELOPE_BYTES } from '../../protocol/limits.js';
import {
  CommandIdSchema,
  ServerToAgentSchema,
  type CommandMessage,
  type ServerToAgent,
} from '../../protocol/messages.js';
import { describeIssues } from '../../protocol/zod-issues.js';

// The envelope's cap lives with the other limits; commands.ts imports it from here too.
export { MAX_ENVELOPE_BYTES };

/** Step 1a: size cap, JSON, then the envelope schema (readEnvelope), throwing the refusal. */
export function parseEnvelope(payload: Uint8Array | string): ServerToAgent {
  const envelope = readEnvelope(payload);
  if ('error' in envelope) throw envelope.error;
  return envelope.message;
}

/** What arrived on the commands topic: a message, or why not and, if it can be told, whose command it was. */
export type Envelope = { message: ServerToAgent } | { error: ProtocolError; commandId?: string };

/**
 * parseEnvelope that parses the JSON once and never throws: a payload that is JSON but not an
 * envelope still yields its command id (if that field is a valid one), so its refusal can be
 * answered, without parsing the bytes a second time.
 */
export function readEnvelope(payload: Uint8Array | string): Envelope {
  // Size cap first: the payload is attacker-controlled and JSON.parse on megabytes is itself a cost.
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_ENVELOPE_BYTES) {
    const error = new ProtocolError(
      'PAYLOAD_TOO_LARGE',
      `command message: ${size} bytes, the limit is ${MAX_ENVELOPE_BYTES}`,
    );
    return { error };
  }
  const text =
    typeof payload === 'string'
      ? payload
      : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const error = new ProtocolError('MALFORMED_COMMAND', `command message: not JSON (${(err as Error).message})`, {
      cause: err,
    });
    return { error };
  }
  const parsed = ServerToAgentSchema.safeParse(raw);
  if (parsed.success) return { message: parsed.data };
  const error = new ProtocolError('MALFORMED_COMMAND', `command message: ${describeIssues(parsed.error)}`);
  const id = typeof raw === 'object' && raw !== null ? (raw as { commandId?: unknown }).commandId : undefined;
  const commandId = CommandIdSchema.safeParse(id);
  return commandId.success ? { error, commandId: commandId.data } : { error };
}

/** Like parseEnvelope, but only a command is acceptable here. */
export function parseCommand(payload: Uint8Array | string): CommandMessage {
  const message = parseEnvelope(payload);
  if (message.kind !== 'command') {
    throw new ProtocolError('MALFORMED_COMMAND', `command message: kind is '${message.kind}', expected 'command'`);
  }
  return message;
}

export interface ParsedAction {
  /** Exactly what JSON.parse produced: the signature is checked over its canonical bytes. */
  raw: Record<string, unknown>;
  /** The same object after the strict schema accepted it. */
  action: SignedAction;
}

/**
 * Step 1b: the signed action inside the envelope. Strict: a key the signer did not sign is
 * refused here rather than silently dropped, and the raw object is kept so the signature is
 * verified over what was received, not over a re-serialized copy.
 */
export function parseAction(text: string): ParsedAction {
  const size = Buffer.byteLength(text);
  // The server measured the same JSON text against the same constant before sending it.
  if (size > ACTION_LIMITS.maxActionBytes) {
    throw new ProtocolError('PAYLOAD_TOO_LARGE', `action: ${size} bytes, the limit is ${ACTION_LIMITS.maxActionBytes}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError('MALFORMED_ACTION', `action: not JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ProtocolError('MALFORMED_ACTION', 'action: expected a JSON object');
  }
  const parsed = SignedActionSchema.safeParse(raw);
  if (!parsed.success) throw new ProtocolError('MALFORMED_ACTION', `action: ${describeIssues(parsed.error)}`);
  return { raw: raw as Record<string, unknown>, action: parsed.data };
}
