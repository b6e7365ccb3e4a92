import type { InvestigatorRecord } from '../../protocol/api.js';
import { decodeToken, TOKEN_MAX_AGE_MS, TokenPayloadSchema } from '../../protocol/auth-token.js';
import { BaseError, UserError } from '../../protocol/errors.js';
import { Keyring, verifyDetached } from '../../protocol/signature.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import type { Investigators } from './investigators.js';
import type { NonceCache } from './nonce-cache.js';

export interface TokenCheckDeps {
  investigators: Investigators;
  nonces: NonceCache;
  now: () => Date;
}

const HINT = 'the console signs a fresh token per request; check the key you use and your clock';

/**
 * Checks an `Authorization: MIG-PGP <payload>.<sig>` header, cheapest steps first; the nonce
 * is recorded only once the signature holds, so nobody can burn another investigator's nonces.
 * 401 UNAUTHENTICATED says which step failed; 403 FORBIDDEN is for a proven but disabled
 * investigator (proven first, so a stranger cannot probe who is disabled).
 */
export async function checkToken(header: string | undefined, deps: TokenCheckDeps): Promise<InvestigatorRecord> {
  if (header === undefined || header === '') throw unauthenticated('no Authorization header');
  const token = decodeToken(header);
  if (token === undefined) throw unauthenticated('Authorization header is not `MIG-PGP <payload>.<signature>`');
  const payload = parsePayload(token.payloadBytes);

  const nowMs = deps.now().getTime();
  const skewMs = nowMs - Date.parse(payload.issuedAt);
  if (Math.abs(skewMs) > TOKEN_MAX_AGE_MS) {
    throw unauthenticated(
      `token is stale: issued ${Math.round(skewMs / 1000)} s from server time, the limit is ±${TOKEN_MAX_AGE_MS / 1000} s`,
    );
  }

  const record = deps.investigators.get(payload.fingerprint);
  const key = deps.investigators.publicKey(payload.fingerprint);
  if (record === undefined || key === undefined) throw unauthenticated(`no investigator ${payload.fingerprint}`);
  const ring = new Keyring();
  ring.add(key);
  try {
    await verifyDetached(token.payloadBytes, token.signature, ring);
  } catch (err) {
    const code = err instanceof BaseError ? err.code : 'BAD_SIGNATURE';
    throw unauthenticated(`token signature does not verify with ${record.name}'s key (${code})`, err);
  }

  const seen = deps.nonces.remember(payload.nonce, nowMs);
  if (seen === 'replayed') throw unauthenticated('token was already used (replayed nonce)');
  if (seen === 'full') throw unauthenticated('too many recent tokens; retry in a minute');
  if (record.status !== 'active')
    throw new UserError('FORBIDDEN', `investigator ${record.name} is disabled`, 'ask an admin to enable you');
  return record;
}

function parsePayload(bytes: Uint8Array): ReturnType<typeof TokenPayloadSchema.parse> {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw unauthenticated('token payload is not JSON');
  }
  const parsed = TokenPayloadSchema.safeParse(raw);
  if (!parsed.success) throw unauthenticated(`token payload: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function unauthenticated(message: string, cause?: unknown): UserError {
  return new UserError('UNAUTHENTICATED', message, HINT, { cause });
}
