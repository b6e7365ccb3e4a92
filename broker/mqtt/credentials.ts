import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * MQTT credentials shared by the broker, the agent and the server's own MQTT client
 * (see the wire decisions in ARCHITECTURE.md). Agents: clientId = agent id, username
 * `mig-agent`, password = fleet enrollment secret, or a TLS client certificate whose CN is the
 * agent id. The server: clientId `mig-server-<hex>`, username `mig-server`, password = the
 * server secret.
 */
export const AGENT_USERNAME = 'mig-agent';
export const SERVER_USERNAME = 'mig-server';

/** Client ids with this prefix belong to servers; agents may never take one (see authenticate.ts). */
export const SERVER_CLIENT_ID_PREFIX = 'mig-server-';
export const SERVER_CLIENT_ID_PATTERN = /^mig-server-[0-9a-f]{8,64}$/;

/** A fresh client id for one server process: `mig-server-<16 hex>`. */
export function serverClientId(): string {
  return `${SERVER_CLIENT_ID_PREFIX}${randomBytes(8).toString('hex')}`;
}

/** 32 random bytes, base64url: an enrollment or server secret. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time secret comparison. Both sides are hashed first so the compared buffers always
 * have equal length: timingSafeEqual throws otherwise, and a length check would leak the length.
 */
export function secretMatches(given: Uint8Array | string | undefined, expected: string): boolean {
  if (given === undefined || expected.length === 0) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
