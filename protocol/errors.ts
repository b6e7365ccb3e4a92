/**
 * Coded errors shared by every layer. Callers branch on `code`, never on the message
 * (sigstore's error.ts idea). Every code that can cross the wire is listed here so the
 * console can explain it and tests can assert it.
 */

/** Refusals an agent sends back as a `failed` command result, in pipeline order. */
export type AcceptanceCode =
  | 'PAYLOAD_TOO_LARGE'
  | 'MALFORMED_COMMAND'
  | 'MALFORMED_ACTION'
  | 'NO_SIGNATURE'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_SIGNER'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'VALIDITY_TOO_LONG'
  | 'REPLAYED'
  | 'ACL_WEIGHT_TOO_LOW'
  | 'MODULE_NOT_ALLOWED'
  | 'TARGET_EXCLUDES_AGENT'
  | 'INVALID_PARAMETERS'
  | 'UNKNOWN_MODULE'
  | 'PLATFORM_UNSUPPORTED';

/** Failures while a module runs. */
export type ModuleCode =
  'MODULE_TIMEOUT' | 'MODULE_MEMORY_LIMIT' | 'MODULE_FAILED' | 'MODULE_CANCELLED' | 'AGENT_RESTARTED';

/** Server, API and CLI failures. */
export type ServiceCode =
  | 'BAD_REQUEST'
  /** An agent's result, heartbeat or enrollment request the server cannot parse (logged, dropped). */
  | 'MALFORMED_MESSAGE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'VALID_FROM_TOO_FAR'
  | 'TARGET_PARSE'
  | 'TARGET_UNKNOWN_FIELD'
  | 'TARGET_UNSUPPORTED_MIG'
  | 'SERVER_UNREACHABLE'
  | 'SIGNER_FAILED'
  | 'CONFIG_INVALID'
  | 'SIGNER_DISABLED'
  | 'INTERNAL';

/** Refusals of a policy bundle (protocol/policy.ts), by agents and by the server alike. */
export type PolicyBundleCode = 'POLICY_ROLLBACK' | 'POLICY_UNDER_SIGNED' | 'POLICY_INVALID';

export type ErrorCode = AcceptanceCode | ModuleCode | ServiceCode | PolicyBundleCode;

export class BaseError<Code extends string = ErrorCode> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /**
   * The default test, typed: `err instanceof BaseError` would otherwise narrow to BaseError<any>
   * (TypeScript fills a generic class's parameters with `any`), and `err.code` would flow
   * anywhere unchecked. Subclasses narrow to themselves as before.
   */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** Shape or size of a message is wrong: attacker-controlled input that failed to parse. */
export class ProtocolError extends BaseError<AcceptanceCode | ServiceCode> {}
/** Signatures, validity window or replay checks failed. */
export class VerificationError extends BaseError<AcceptanceCode> {}
/** Signatures are fine but the signers may not do this (ACL, allowlist, target). */
export class PolicyError extends BaseError<AcceptanceCode> {}
/** A policy bundle is malformed, not newer than the one held, or not signed by enough admins. */
export class PolicyBundleError extends BaseError<PolicyBundleCode> {}
/** A module failed, timed out or was cancelled. */
export class ModuleError extends BaseError<ModuleCode | AcceptanceCode> {}
/** A broken invariant in our own code: never the user's fault. */
export class BugError extends BaseError<'INTERNAL'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERNAL', message, options);
  }
}
/** The person at the keyboard can fix this; `hint` says how. */
export class UserError extends BaseError<ErrorCode> {
  readonly hint: string | undefined;
  constructor(code: ErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.hint = hint;
  }
}

/** Error as it travels on the wire (command results, API error bodies). */
export interface WireError {
  code: string;
  message: string;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof BaseError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}
