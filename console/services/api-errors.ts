import { ApiErrorSchema } from '../../protocol/api.js';
import { UserError, type ErrorCode } from '../../protocol/errors.js';

/**
 * Turns failed requests into UserErrors the CLI can print: the server's own code and message
 * (its error body is parsed like any other answer), plus a hint for the person at the keyboard.
 */

// A Record over the union makes the compiler list every code: none is forgotten, none invented.
const KNOWN_CODES: Record<ErrorCode, true> = {
  PAYLOAD_TOO_LARGE: true,
  MALFORMED_COMMAND: true,
  MALFORMED_ACTION: true,
  NO_SIGNATURE: true,
  BAD_SIGNATURE: true,
  UNKNOWN_SIGNER: true,
  NOT_YET_VALID: true,
  EXPIRED: true,
  VALIDITY_TOO_LONG: true,
  REPLAYED: true,
  ACL_WEIGHT_TOO_LOW: true,
  MODULE_NOT_ALLOWED: true,
  TARGET_EXCLUDES_AGENT: true,
  INVALID_PARAMETERS: true,
  UNKNOWN_MODULE: true,
  PLATFORM_UNSUPPORTED: true,
  MODULE_TIMEOUT: true,
  MODULE_MEMORY_LIMIT: true,
  MODULE_FAILED: true,
  MODULE_CANCELLED: true,
  AGENT_RESTARTED: true,
  BAD_REQUEST: true,
  MALFORMED_MESSAGE: true,
  UNAUTHENTICATED: true,
  FORBIDDEN: true,
  NOT_FOUND: true,
  CONFLICT: true,
  VALID_FROM_TOO_FAR: true,
  TARGET_PARSE: true,
  TARGET_UNKNOWN_FIELD: true,
  TARGET_UNSUPPORTED_MIG: true,
  SERVER_UNREACHABLE: true,
  SIGNER_FAILED: true,
  CONFIG_INVALID: true,
  SIGNER_DISABLED: true,
  POLICY_ROLLBACK: true,
  POLICY_UNDER_SIGNED: true,
  POLICY_INVALID: true,
  INTERNAL: true,
};

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(KNOWN_CODES, code);
}

const HINTS: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED:
    'is your key registered on this server (an admin runs `mig investigators add --name N --key investigator.pub.asc`), and is this machine’s clock right?',
  FORBIDDEN: 'your key is disabled, or this needs an admin investigator',
};

/**
 * The server says which step of the token check failed (broker/auth/token.ts); the hint names
 * the cause that step means rather than listing every possible one.
 */
function authHint(message: string, serverUrl: string): string | undefined {
  if (/^no investigator /.test(message)) {
    return `your key is not enrolled on the server at ${serverUrl}: an admin of that server runs \`mig investigators add --name N --key investigator.pub.asc\`, or you are talking to another server than you think (MIG_SERVER, serverUrl)`;
  }
  if (/^token is stale/.test(message))
    return `clock skew: this machine's clock and the server's at ${serverUrl} disagree; set the clock (NTP) on the one that is wrong`;
  if (/signature does not verify/.test(message))
    return `the server at ${serverUrl} holds another key under your fingerprint; check \`mig investigators\` with an admin`;
  return undefined;
}

/** A non-2xx answer. The body is hostile: parsed with ApiErrorSchema, else only the status is reported. */
export function apiError(status: number, body: unknown, what: string, serverUrl: string): UserError {
  const parsed = ApiErrorSchema.safeParse(body);
  if (!parsed.success) {
    return new UserError(
      'INTERNAL',
      `${what}: HTTP ${status} from ${serverUrl} without an error body`,
      'is this a mig server?',
    );
  }
  const { code, message, hint } = parsed.data.error;
  const known = isErrorCode(code) ? code : 'INTERNAL';
  // An unknown code still shows in the message: a newer server may send codes we do not list.
  const text = known === code ? message : `${code}: ${message}`;
  const ours = known === 'UNAUTHENTICATED' ? authHint(message, serverUrl) : undefined;
  return new UserError(known, text, ours ?? hint ?? HINTS[known]);
}

/** fetch failed before any HTTP answer: refused, DNS, TLS, timeout. */
export function unreachable(serverUrl: string, err: unknown): UserError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const name = (err as { name?: string }).name;
  const reason = name === 'TimeoutError' ? 'timed out' : (cause?.code ?? cause?.message ?? (err as Error).message);
  const where =
    'start one (`mig server`, or `mig console --embedded`, which records the URL it really uses for the CLI), or point MIG_SERVER or serverUrl in $MIG_HOME/config.json at the right one';
  const hint =
    reason === 'ECONNREFUSED'
      ? `nothing listens at ${serverUrl}, so no server runs there: ${where}`
      : `is ${serverUrl} the right address, and reachable from here? ${where}`;
  return new UserError('SERVER_UNREACHABLE', `cannot reach the mig server at ${serverUrl} (${reason})`, hint, {
    cause: err,
  });
}
