import { BaseError, UserError } from '../../protocol/errors.js';

/** HTTP status for each error code the API can answer with; anything unlisted is a 400. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  SIGNER_DISABLED: 403,
  POLICY_UNDER_SIGNED: 403,
  POLICY_ROLLBACK: 409,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL: 500,
};

export interface ErrorReply {
  status: number;
  body: { error: { code: string; message: string; hint?: string } };
}

/**
 * Coded errors become `{error:{code,message,hint?}}` with their status. Anything uncoded is our
 * bug: a 500 whose message does not leak internals (the log gets the details).
 */
export function errorReply(err: unknown, log: (msg: string) => void): ErrorReply {
  if (err instanceof BaseError && err.code !== 'INTERNAL') {
    const code = err.code;
    const hint = err instanceof UserError ? err.hint : undefined;
    return {
      status: STATUS_BY_CODE[code] ?? 400,
      body: { error: { code, message: err.message, ...(hint === undefined ? {} : { hint }) } },
    };
  }
  log(`http: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal server error (see the server log)' } } };
}
