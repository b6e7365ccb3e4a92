import type { z } from 'zod';
import { ProtocolError } from './errors.js';
import { describeIssues } from './zod-issues.js';

/**
 * Size cap first, then JSON, then the schema: the order matters because the payload is
 * attacker-controlled and JSON.parse on megabytes is itself a cost.
 */
export function parsePayload<S extends z.ZodType>(
  schema: S,
  payload: Uint8Array | string,
  maxBytes: number,
  what: string,
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
    throw new ProtocolError('MALFORMED_COMMAND', `${what}: not JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ProtocolError('MALFORMED_COMMAND', `${what}: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}
