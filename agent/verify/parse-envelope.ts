import { SignedActionSchema, type SignedAction } from '../../protocol/action.js';
import { ProtocolError } from '../../protocol/errors.js';
import { ACTION_LIMITS, MAX_ENVELOPE_BYTES } from '../../protocol/limits.js';
import { ServerToAgentSchema, type CommandMessage, type ServerToAgent } from '../../protocol/messages.js';
import { parsePayload } from '../../protocol/payload.js';
import { describeIssues } from '../../protocol/zod-issues.js';

// The envelope's cap lives with the other limits; commands.ts imports it from here too.
export { MAX_ENVELOPE_BYTES };

/** Step 1a: size cap, JSON, then the envelope schema. The payload is attacker-controlled. */
export function parseEnvelope(payload: Uint8Array | string): ServerToAgent {
  return parsePayload(ServerToAgentSchema, payload, MAX_ENVELOPE_BYTES, 'command message', 'MALFORMED_COMMAND');
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
