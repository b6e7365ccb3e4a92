import { AGENT_ID_PATTERN } from '../../protocol/topics.js';
import type { Principal } from './acl.js';
import {
  AGENT_USERNAME,
  ENROLL_USERNAME,
  SERVER_CLIENT_ID_PATTERN,
  SERVER_CLIENT_ID_PREFIX,
  SERVER_USERNAME,
  enrolleeAgentId,
  passwordMatchesHash,
  secretMatches,
} from './credentials.js';

/**
 * Who may connect, as a pure decision (hooks.ts feeds it from the CONNECT packet and the TLS
 * socket). Everything here is attacker-controlled except the secrets.
 */

/** MQTT 3.1.1 CONNACK return codes we send (§3.2.2.3). */
export const CONNACK = {
  IDENTIFIER_REJECTED: 2,
  /** Too many enrollment attempts from one address: try again later. */
  SERVER_UNAVAILABLE: 3,
  BAD_USERNAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const;
export type RefusalCode = (typeof CONNACK)[keyof typeof CONNACK];

export interface Secrets {
  enrollmentSecret: string;
  serverSecret: string;
  /**
   * The server's registry, in-process: sha256 hex of the broker password of an *accepted*
   * agent, undefined for any other id (unknown, pending, rejected, or legacy with no key bound).
   */
  agentPasswordHash(agentId: string): string | undefined;
}

export interface ConnectAttempt {
  clientId: string;
  username: string | undefined;
  password: Uint8Array | undefined;
  /** CN of a client certificate that verified against the broker's CA; absent otherwise. */
  verifiedCertCn: string | undefined;
}

export type Authentication =
  | { ok: true; principal: Principal; method: 'password' | 'certificate' | 'enrollment' }
  | { ok: false; returnCode: RefusalCode; reason: string };

export function authenticateClient(attempt: ConnectAttempt, secrets: Secrets): Authentication {
  if (attempt.username === SERVER_USERNAME) return authenticateServer(attempt, secrets);
  if (attempt.username === ENROLL_USERNAME) return authenticateEnrollee(attempt, secrets);
  // Agents log in as `mig-agent` (earlier versions) or under their own id (as an external
  // broker needs them to, one login per agent): the client id names the agent either way.
  if (attempt.username === AGENT_USERNAME || attempt.username === undefined || attempt.username === attempt.clientId) {
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

/** The enrollment secret admits only an enrollee: it may ask to enroll its one agent id, nothing else. */
function authenticateEnrollee(attempt: ConnectAttempt, secrets: Secrets): Authentication {
  if (!secretMatches(attempt.password, secrets.enrollmentSecret)) {
    return refuse(CONNACK.BAD_USERNAME_OR_PASSWORD, 'wrong enrollment secret');
  }
  const agentId = enrolleeAgentId(attempt.clientId);
  if (agentId === undefined || !AGENT_ID_PATTERN.test(agentId) || agentId.startsWith(SERVER_CLIENT_ID_PREFIX)) {
    return refuse(CONNACK.IDENTIFIER_REJECTED, 'enrollee client id must be mig-enroll-<agentId>-<8 hex>');
  }
  return { ok: true, principal: { role: 'enrollee', agentId }, method: 'enrollment' };
}

function authenticateAgent(attempt: ConnectAttempt, secrets: Secrets): Authentication {
  const { clientId, verifiedCertCn } = attempt;
  if (!AGENT_ID_PATTERN.test(clientId)) return refuse(CONNACK.IDENTIFIER_REJECTED, 'client id is not an agent id');
  // A new connection with an existing client id takes over that session [MQTT-3.1.4-2]: an
  // agent must never be able to knock the server's own client off the broker.
  if (clientId.startsWith(SERVER_CLIENT_ID_PREFIX)) {
    return refuse(CONNACK.IDENTIFIER_REJECTED, 'client id is reserved for servers');
  }
  if (verifiedCertCn !== undefined) {
    // A verified certificate is an identity claim: one naming another agent is refused even
    // with a good password, or any enrolled host could pose as any other.
    if (verifiedCertCn !== clientId) return refuse(CONNACK.NOT_AUTHORIZED, 'certificate CN is not the client id');
    return { ok: true, principal: { role: 'agent', agentId: clientId }, method: 'certificate' };
  }
  if (attempt.username === undefined)
    return refuse(CONNACK.BAD_USERNAME_OR_PASSWORD, 'no username and no client certificate');
  // Every refusal below is NOT_AUTHORIZED and happens before aedes looks at the client id, so
  // a connection claiming a live agent's id with other credentials never takes its session over.
  const storedHash = secrets.agentPasswordHash(clientId);
  if (storedHash === undefined) {
    return refuse(
      CONNACK.NOT_AUTHORIZED,
      'agent id is not enrolled and accepted (enroll with username mig-enroll first)',
    );
  }
  if (!passwordMatchesHash(attempt.password, storedHash)) {
    const why = secretMatches(attempt.password, secrets.enrollmentSecret)
      ? "the enrollment secret does not admit an agent session; only the agent's own credential does"
      : 'wrong credential for this agent id';
    return refuse(CONNACK.NOT_AUTHORIZED, why);
  }
  return { ok: true, principal: { role: 'agent', agentId: clientId }, method: 'password' };
}

function refuse(returnCode: RefusalCode, reason: string): Authentication {
  return { ok: false, returnCode, reason };
}
