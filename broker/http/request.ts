import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { ProtocolError, UserError } from '../../protocol/errors.js';
import { ACTION_LIMITS } from '../../protocol/limits.js';
import { describeIssues } from '../../protocol/zod-issues.js';

/**
 * Largest request body read: twice an action's cap, so a pretty-printed or escaped action just
 * over the cap still parses and is refused by checkActionSize with its size and the limit.
 */
export const MAX_BODY_BYTES = 2 * ACTION_LIMITS.maxActionBytes;

/** Reads the body as JSON, refusing it past `maxBytes` without buffering the rest. */
export async function readJson(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > maxBytes) throw tooLarge(declared, maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(size, maxBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new UserError('BAD_REQUEST', 'request body is empty; expected JSON');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError('BAD_REQUEST', `request body is not JSON: ${(err as Error).message}`);
  }
}

function tooLarge(size: number, maxBytes: number): ProtocolError {
  return new ProtocolError('PAYLOAD_TOO_LARGE', `request body is over ${maxBytes} bytes (got at least ${size})`);
}

/** Parses a value with a zod schema; the error names every bad field under `what`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UserError('BAD_REQUEST', describeIssues(parsed.error, what));
  return parsed.data;
}

/** Query parameters as a plain object (the last value wins for a repeated name). */
export function queryObject(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}
