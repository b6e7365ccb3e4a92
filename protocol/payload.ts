import type { z } from 'zod';
import { ProtocolError, type AcceptanceCode, type ServiceCode } from './errors.js';
import { describeIssues } from './zod-issues.js';

/**
 * What a payload that is not JSON or not the schema's shape is called: a command the agent
 * refuses (the code travels back in the result), or a message an agent sent the server (a
 * result, heartbeat or enrollment request: logged and dropped).
 */
export type MalformedCode = Extract<AcceptanceCode | ServiceCode, 'MALFORMED_COMMAND' | 'MALFORMED_MESSAGE'>;

/**
 * Size cap first, then JSON, then the schema: the order matters because the payload is
 * attacker-controlled and JSON.parse on megabytes is itself a cost. Too large is
 * PAYLOAD_TOO_LARGE; anything else wrong is `malformed`, which the caller names.
 */
export function parsePayload<S extends z.ZodType>(
  schema: S,
  payload: Uint8Array | string,
  maxBytes: number,
  what: string,
  malformed: MalformedCode,
): z.infer<S> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > maxBytes) {
    throw new ProtocolError('PAYLOAD_TOO_LARGE', `${what}: ${size} bytes, the limit is ${maxBytes}`);
  }
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError(malformed, `${what}: not JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ProtocolError(malformed, `${what}: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}
