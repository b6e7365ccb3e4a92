import { BaseError } from '../../protocol/errors.js';

/**
 * MQTT has no way to answer a publisher, so a message from an agent that the server cannot use
 * (too large, not JSON, not the schema, naming someone else) is dropped: the documented
 * behaviour. Each drop is logged with its error code, `<layer>: dropped [CODE]: why`, and
 * counted by code, so an operator (and the fuzz suite) can tell a hostile or broken agent's
 * noise from a bug.
 */
const counts = new Map<string, number>();

/** Logs and counts one dropped message; `reason` is a coded error or a code with a message. */
export function dropped(log: (msg: string) => void, layer: string, reason: unknown, message?: string): void {
  const code = reason instanceof BaseError ? reason.code : typeof reason === 'string' ? reason : 'INTERNAL';
  const text = message ?? (reason instanceof Error ? reason.message : String(reason));
  counts.set(code, (counts.get(code) ?? 0) + 1);
  log(`${layer}: dropped [${code}]: ${text}`);
}

/** Drops so far in this process, by code (every server in the process together). */
export function dropCounts(): Record<string, number> {
  return Object.fromEntries(counts);
}
