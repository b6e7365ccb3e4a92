import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * MQTT credentials shared by the broker, the agent and the server's own MQTT client
 * (see the wire decisions in ARCHITECTURE.md). Enrollees: clientId
 * `mig-enroll-<agentId>-<8 hex>`, username `mig-enroll`, password = fleet enrollment secret.
 * Agents: clientId = agent id, username `mig-agent`, password = the broker password the agent
 * chose at enrollment (the server keeps its sha256), or a TLS client certificate whose CN is
 * the agent id. The server: clientId `mig-server-<hex>`, username `mig-server`, password = the
 * server secret.
 */
export const AGENT_USERNAME = 'mig-agent';
export const ENROLL_USERNAME = 'mig-enroll';
export const SERVER_USERNAME = 'mig-server';

/**
 * An enrollee's client id names the agent it enrolls plus a random suffix: never the agent id
 * itself, so an enrollment can never take over (kick) a live agent session [MQTT-3.1.4-2].
 */
export const ENROLL_CLIENT_ID_PATTERN = /^mig-enroll-([a-z0-9][a-z0-9-]{2,63})-[0-9a-f]{8}$/;

export function enrollClientId(agentId: string): string {
  return `mig-enroll-${agentId}-${randomBytes(4).toString('hex')}`;
}

/** The agent id an enrollee client id names, or undefined when it is not one. */
export function enrolleeAgentId(clientId: string): string | undefined {
  return ENROLL_CLIENT_ID_PATTERN.exec(clientId)?.[1];
}

/** sha256 hex of a broker password: what the server stores (the password has 256 bits of entropy, no slow hash needed). */
export function passwordHash(password: Uint8Array | string): string {
  return createHash('sha256').update(password).digest('hex');
}

/** Constant-time check of a presented password against a stored passwordHash(). */
export function passwordMatchesHash(given: Uint8Array | undefined, storedHashHex: string): boolean {
  if (given === undefined || !/^[0-9a-f]{64}$/.test(storedHashHex)) return false;
  return timingSafeEqual(createHash('sha256').update(given).digest(), Buffer.from(storedHashHex, 'hex'));
}

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
