import { z } from 'zod';
import { FingerprintSchema } from './action.js';

/**
 * API authentication: every request carries `Authorization: MIG-PGP <payload>.<signature>`,
 * both base64url; the payload is JSON `{v, fingerprint, issuedAt, nonce}` and the signature an
 * armored detached signature over the payload bytes by that investigator's key. The server
 * checks freshness (TOKEN_MAX_AGE_MS either way) and refuses a nonce it has seen.
 */
export const AUTH_SCHEME = 'MIG-PGP';
export const TOKEN_MAX_AGE_MS = 5 * 60 * 1000;

export const TokenPayloadSchema = z.strictObject({
  v: z.literal(1),
  fingerprint: FingerprintSchema,
  issuedAt: z.iso.datetime({ offset: true }),
  nonce: z.string().regex(/^[0-9a-f]{32}$/),
});
export type TokenPayload = z.infer<typeof TokenPayloadSchema>;

export function newTokenPayload(fingerprint: string, now: Date): { payload: TokenPayload; bytes: Uint8Array } {
  const nonceBytes = new Uint8Array(16);
  crypto.getRandomValues(nonceBytes);
  const payload: TokenPayload = {
    v: 1,
    fingerprint: fingerprint.toLowerCase(),
    issuedAt: now.toISOString(),
    nonce: Buffer.from(nonceBytes).toString('hex'),
  };
  return { payload, bytes: new TextEncoder().encode(JSON.stringify(payload)) };
}

export function encodeToken(payloadBytes: Uint8Array, armoredSignature: string): string {
  return `${AUTH_SCHEME} ${Buffer.from(payloadBytes).toString('base64url')}.${Buffer.from(armoredSignature).toString('base64url')}`;
}

/** Splits a header into the signed bytes and the signature; structure only, no crypto. */
export function decodeToken(header: string): { payloadBytes: Uint8Array; signature: string } | undefined {
  const match = /^MIG-PGP ([A-Za-z0-9_-]{1,4096})\.([A-Za-z0-9_-]{1,16384})$/.exec(header);
  if (match === null || match[1] === undefined || match[2] === undefined) return undefined;
  return {
    payloadBytes: new Uint8Array(Buffer.from(match[1], 'base64url')),
    signature: Buffer.from(match[2], 'base64url').toString('utf8'),
  };
}
