import { ProtocolError, UserError, VerificationError } from './errors.js';

/**
 * The one set of limits on an action (ARCHITECTURE "One set of limits"). The CLI and the
 * console check them before anything is signed, the server before anything is stored or
 * sent, the agent again on receipt. Two rules pick the numbers:
 * - the agent accepts everything the server accepts (same constants, same predicates), so a
 *   stored action is never refused by every agent for a limit;
 * - the server refuses, first, everything the agent would refuse for a limit, so the
 *   investigator learns of it from the API (with a code naming the field), not from the fleet.
 * doc/concepts.md shows these numbers; protocol/limits-doc.test.ts keeps the two in step.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const ACTION_LIMITS = {
  /**
   * The signed action as it travels to agents (JSON, UTF-8, signatures included). 256 KiB holds
   * thousands of hashes or a large YARA rule set, yet keeps a command far below the broker's
   * packet cap even after the envelope escapes it (MAX_ENVELOPE_BYTES).
   */
  maxActionBytes: 256 * 1024,
  /**
   * Room kept for each signature the action may still gather: what is signed (the action
   * without `signatures`) may use at most maxActionBytes − maxSignatures × this, so co-signers
   * never push an accepted action over maxActionBytes. An armored ed25519 signature is about
   * 0.3 KiB and an RSA-4096 one about 0.9 KiB once JSON-escaped.
   */
  signatureRoomBytes: 4 * 1024,
  /** Operations in one action: enough for a hunt plus its response; one result message each. */
  maxOperations: 16,
  /** Signatures on one action: a two-person rule with room for more senior sign-off. */
  maxSignatures: 8,
  /** One armored signature, as a string: generous for RSA-4096, far below the action cap. */
  maxSignatureChars: 16 * 1024,
  maxTargetChars: 4096,
  /**
   * expireAfter − validFrom. Agents keep every accepted action id in their replay journal
   * until expireAfter, and a signed action that leaks can be delivered until then: a week
   * covers "run over the weekend when laptops come back", not "for ever".
   */
  maxValidityMs: 7 * DAY,
  /**
   * Shortest window the CLI and console sign: agents must get the command and start it before
   * expireAfter. Not a server or agent rule (a short window only risks `expired` commands).
   */
  minValidityMs: 10 * SECOND,
  /**
   * validFrom − now, on the server at submission. The server holds a future action and
   * launches it at validFrom; agents only ever see it then. A week ahead at most, so a signed
   * action cannot sit as a time bomb for months.
   */
  maxStartAheadMs: 7 * DAY,
} as const;

/**
 * Clock skew an agent tolerates between the signer's clock and its own, at both ends of the
 * window. The agent's config picks it (default below, capped at max): the server checks windows
 * by its own clock without skew, which is the stricter of the two.
 */
export const CLOCK_SKEW = { defaultMs: MINUTE, maxMs: HOUR } as const;

/** The most a signed part may take: see signatureRoomBytes. */
export const MAX_SIGNED_PART_BYTES = ACTION_LIMITS.maxActionBytes - ACTION_LIMITS.maxSignatures * ACTION_LIMITS.signatureRoomBytes;

/**
 * Largest command envelope an agent parses: the action string JSON-escaped inside it (at most
 * doubles: `"` → `\"`, `\n` → `\\n`) plus the envelope's own few fields.
 */
export const MAX_ENVELOPE_BYTES = 3 * ACTION_LIMITS.maxActionBytes;

/** Modules that change the endpoint: two signatures by default (defaultAcl), two-person rule on the server, a confirmation in the console. */
export const RESPONSE_MODULES: readonly string[] = ['firewall', 'process', 'account', 'agentdestroy'];

export function isResponseModule(name: string): boolean {
  return RESPONSE_MODULES.includes(name);
}

/** Bytes of a value as it travels: JSON.stringify, UTF-8 (what the agent measures on receipt). */
export function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).byteLength;
}

/** `7d`, `36h`, `90s`: durations in the units people type. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  if (ms >= HOUR) return `${(ms / HOUR).toFixed(1)}h`;
  return `${Math.round(ms / SECOND)}s`;
}

/**
 * Size: the signed part (action without signatures) against MAX_SIGNED_PART_BYTES, checkable
 * before signing; then, when signatures are present, the whole action against maxActionBytes.
 */
export function checkActionSize(action: Readonly<Record<string, unknown>>): void {
  const { signatures, ...signed } = action;
  const signedBytes = jsonBytes(signed);
  if (signedBytes > MAX_SIGNED_PART_BYTES) {
    throw new ProtocolError(
      'PAYLOAD_TOO_LARGE',
      `action: what is signed (the action without signatures) is ${signedBytes} bytes, the limit is ${MAX_SIGNED_PART_BYTES} (${ACTION_LIMITS.maxActionBytes} bytes with room for ${ACTION_LIMITS.maxSignatures} signatures): split the operations over several actions or shorten the parameters`,
    );
  }
  if (signatures === undefined) return;
  const total = jsonBytes(action);
  if (total > ACTION_LIMITS.maxActionBytes) {
    throw new ProtocolError('PAYLOAD_TOO_LARGE', `action: ${total} bytes with its signatures, the limit is ${ACTION_LIMITS.maxActionBytes}`);
  }
}

export interface Window {
  validFrom: string;
  expireAfter: string;
}

/** The window's own shape, clock-free: checked alike by server and agent, so they cannot disagree. */
export function checkWindowLength(action: Window): void {
  const fromMs = Date.parse(action.validFrom);
  const untilMs = Date.parse(action.expireAfter);
  if (untilMs <= fromMs) {
    throw new UserError('BAD_REQUEST', `expireAfter: ${action.expireAfter} is not after validFrom ${action.validFrom}`, 'sign a window that ends after it starts');
  }
  if (untilMs - fromMs > ACTION_LIMITS.maxValidityMs) {
    throw new VerificationError(
      'VALIDITY_TOO_LONG',
      `expireAfter: the validity window (expireAfter − validFrom) is ${formatDuration(untilMs - fromMs)}, the limit is ${formatDuration(ACTION_LIMITS.maxValidityMs)}`,
    );
  }
}

/**
 * The server's window rules at submission (and the signer's before signing): the window's
 * shape, not already over, and not starting more than maxStartAheadMs from now.
 */
export function checkWindowAt(action: Window, now: Date): void {
  checkWindowLength(action);
  const nowMs = now.getTime();
  if (Date.parse(action.expireAfter) <= nowMs) {
    throw new VerificationError('EXPIRED', `expireAfter: the action expired at ${action.expireAfter} (it is ${now.toISOString()})`);
  }
  const aheadMs = Date.parse(action.validFrom) - nowMs;
  if (aheadMs > ACTION_LIMITS.maxStartAheadMs) {
    throw new UserError(
      'VALID_FROM_TOO_FAR',
      `validFrom: ${action.validFrom} is ${formatDuration(aheadMs)} ahead of ${now.toISOString()}, the limit is ${formatDuration(ACTION_LIMITS.maxStartAheadMs)}`,
      'sign it closer to when it should run',
    );
  }
}

/** `expected` says what was wanted; `problem` adds what was given (for callers that do not say it themselves). */
export type Expiry = { ok: true; ms: number } | { ok: false; expected: string; problem: string };

const UNIT_MS: Readonly<Record<string, number>> = { s: SECOND, m: MINUTE, h: HOUR, d: DAY };
/** How long an action stays valid when nobody says otherwise (MIG's default too). */
export const DEFAULT_EXPIRY = '5m';

/**
 * The `-e`/expiry text of the CLI, the console launcher and `mig action import`: `30s`, `5m`,
 * `1h30m`, `2d`, between minValidityMs and maxValidityMs.
 */
export function parseExpiry(text: string): Expiry {
  const src = text.trim();
  const bad = (expected: string): Expiry => ({ ok: false, expected, problem: `${expected}, got ${JSON.stringify(src)}` });
  if (!/^(\d{1,6}[smhd])+$/.test(src)) return bad('expected a duration like 30s, 5m, 1h30m or 2d');
  let ms = 0;
  for (const m of src.matchAll(/(\d+)([smhd])/g)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? SECOND);
  if (ms < ACTION_LIMITS.minValidityMs) return bad(`expected at least ${formatDuration(ACTION_LIMITS.minValidityMs)}`);
  if (ms > ACTION_LIMITS.maxValidityMs) return bad(`expected at most ${formatDuration(ACTION_LIMITS.maxValidityMs)} (the longest validity window agents accept)`);
  return { ok: true, ms };
}
