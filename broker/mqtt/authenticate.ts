import { AGENT_ID_PATTERN } from '../../protocol/topics.js';
import type { Principal } from './acl.js';
import {
  AGENT_USERNAME,
  SERVER_CLIENT_ID_PATTERN,
  SERVER_CLIENT_ID_PREFIX,
  SERVER_USERNAME,
  secretMatches,
} from './credentials.js';

/**
 * Who may connect, as a pure decision (hooks.ts feeds it from the CONNECT packet and the TLS
 * socket). Everything here is attacker-controlled except the secrets.
 */

/** MQTT 3.1.1 CONNACK return codes we send (§3.2.2.3). */
export const CONNACK = {
  IDENTIFIER_REJECTED: 2,
  BAD_USERNAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const;
export type RefusalCode = (typeof CONNACK)[keyof typeof CONNACK];

export interface Secrets {
  enrollmentSecret: string;
  serverSecret: string;
}

export interface ConnectAttempt {
  clientId: string;
  username: string | undefined;
  password: Uint8Array | undefined;
  /** CN of a client certificate that verified against the broker's CA; absent otherwise. */
  verifiedCertCn: string | undefined;
}

export type Authentication =
  | { ok: true; principal: Principal; method: 'password' | 'certificate' }
  | { ok: false; returnCode: RefusalCode; reason: string };

export function authenticateClient(attempt: ConnectAttempt, secrets: Secrets): Authentication {
  if (attempt.username === SERVER_USERNAME) return authenticateServer(attempt, secrets);
  if (attempt.username === AGENT_USERNAME || attempt.username === undefined) {
    return authenticateAgent(attempt, secrets);
  }
  return refuse(CONNACK.BAD_USERNAME_OR_PASSWORD, 'unknown username');
}

function authenticateServer(attempt: ConnectAttempt, secrets: Secrets): Authentication {
  // Secret first: someone without it learns nothing about which client ids we accept.
  if (!secretMatches(attempt.password, secrets.serverSecret)) {
    return refuse(CONNACK.BAD_USERNAME_OR_PASSWORD, 'wrong server secret');
  }
  if (!SERVER_CLIENT_ID_PATTERN.test(attempt.clientId)) {
    return refuse(CONNACK.IDENTIFIER_REJECTED, 'server client id must be mig-server-<hex>');
  }
  return { ok: true, principal: { role: 'server', clientId: attempt.clientId }, method: 'password' };
}

function authenticateAgent(attempt: ConnectAttempt, secrets: Secrets): Authentication {
  const { clientId, verifiedCertCn } = attempt;
  let method: 'password' | 'certificate';
  if (verifiedCertCn !== undefined) {
    // A verified certificate is an identity claim: one naming another agent is refused even
    // with a good password, or any enrolled host could pose as any other.
    if (verifiedCertCn !== clientId) return refuse(CONNACK.NOT_AUTHORIZED, 'certificate CN is not the client id');
    method = 'certificate';
  } else if (attempt.username === undefined) {
    return refuse(CONNACK.BAD_USERNAME_OR_PASSWORD, 'no username and no client certificate');
  } else if (!secretMatches(attempt.password, secrets.enrollmentSecret)) {
    return refuse(CONNACK.BAD_USERNAME_OR_PASSWORD, 'wrong enrollment secret');
  } else {
    method = 'password';
  }
  if (!AGENT_ID_PATTERN.test(clientId)) return refuse(CONNACK.IDENTIFIER_REJECTED, 'client id is not an agent id');
  // A new connection with an existing client id takes over that session [MQTT-3.1.4-2]: an
  // agent must never be able to knock the server's own client off the broker.
  if (clientId.startsWith(SERVER_CLIENT_ID_PREFIX)) {
    return refuse(CONNACK.IDENTIFIER_REJECTED, 'client id is reserved for servers');
  }
  return { ok: true, principal: { role: 'agent', agentId: clientId }, method };
}

function refuse(returnCode: RefusalCode, reason: string): Authentication {
  return { ok: false, returnCode, reason };
}
