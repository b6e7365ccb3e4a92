import {
  ENROLL_LIMITS,
  EnrollRequestSchema,
  enrollSignatureValid,
  idBinding,
  type EnrollRequest,
  type EnrollStatus,
} from '../../protocol/enrollment.js';
import { MESSAGE_VERSION } from '../../protocol/messages.js';
import { parsePayload } from '../../protocol/payload.js';
import type { Clock } from '../clock.js';
import { SERVER_CLIENT_ID_PREFIX, passwordHash } from '../mqtt/credentials.js';
import type { EnrollPolicy } from '../registry/enrollment.js';
import type { AgentRegistry } from '../registry/registry.js';

export interface EnrollerOptions {
  registry: AgentRegistry;
  policy: EnrollPolicy;
  clock: Clock;
  log: (msg: string) => void;
  /** Publishes the answer on the agent's enrollment status topic. */
  reply(agentId: string, status: EnrollStatus): Promise<void>;
  /**
   * An external broker keeps its own logins (broker/external/): called, before the answer, for
   * every request the registry admits (pending or accepted; the request's password is then the
   * one the registry holds the hash of), so the broker login exists before the agent uses it.
   * The password goes no further: only the broker's own hash of it is kept.
   */
  provision?(agentId: string, password: string, state: 'pending' | 'accepted'): Promise<void>;
}

/**
 * The server's side of enrollment: one request from `mig/enroll/<id>/request` (the broker ACL
 * guarantees only an enrollee for <id> could publish there). Steps, each a refusal the agent
 * hears about: size and shape → the id in the request is the topic's → freshness of sentAt →
 * the signature verifies with the key in the request (proof of possession) → the policy
 * (registry/enrollment.ts) decides, with the id's binding to the key.
 */
export interface Enroller {
  (topicAgentId: string, payload: Uint8Array): Promise<void>;
  /** Tells an agent (waiting on its status topic) about an admin's decision. */
  tell(agentId: string, state: EnrollStatus['state'], reason?: string): Promise<void>;
}

export function enroller(opts: EnrollerOptions): Enroller {
  let capRefusals = 0;
  // Not awaited: the server link handles one incoming message at a time and this publish's
  // PUBACK is an incoming packet too, so waiting for it here would deadlock the link.
  const answer = async (agentId: string, state: EnrollStatus['state'], reason?: string): Promise<void> => {
    const status: EnrollStatus = {
      v: MESSAGE_VERSION,
      kind: 'enroll-status',
      agentId,
      state,
      ...(reason === undefined ? {} : { reason: reason.slice(0, 512) }),
    };
    opts
      .reply(agentId, status)
      .catch((err: unknown) =>
        opts.log(`registry: answering the enrollment of ${agentId} failed: ${(err as Error).message}`),
      );
  };
  const handle = async (topicAgentId: string, payload: Uint8Array): Promise<void> => {
    const checked = check(topicAgentId, payload, opts.clock.now().getTime());
    if (!checked.ok) {
      opts.log(`registry: refused enrollment of ${topicAgentId}: ${checked.reason}`);
      return answer(topicAgentId, 'rejected', checked.reason);
    }
    const request = checked.request;
    const binding = idBinding(request);
    const decision = opts.registry.enrollments.enroll(request, binding, passwordHash(request.password), opts.policy);
    if (!decision.store && decision.isCapped === true) {
      // A flood reaches the cap and then keeps knocking: one line at the cap, then one per 1,000.
      if (capRefusals++ % 1000 === 0)
        opts.log(
          `registry: refused enrollment of ${topicAgentId}: ${decision.reason} (${capRefusals} refused at the cap so far)`,
        );
    } else if (decision.store || decision.state === 'rejected') {
      const how = binding === 'legacy' ? ' (legacy id, key bound)' : '';
      opts.log(
        `registry: enrollment of ${topicAgentId} (${request.name}): ${decision.state}${decision.store ? how : ''}${decision.reason === undefined ? '' : `: ${decision.reason}`}`,
      );
    }
    if (opts.provision !== undefined && decision.state !== 'rejected') {
      try {
        await opts.provision(topicAgentId, request.password, decision.state);
      } catch (err) {
        opts.log(
          `registry: enrollment of ${topicAgentId}: the broker login could not be set: ${(err as Error).message}`,
        );
        return answer(topicAgentId, 'pending', 'the broker login could not be set yet; enroll again later');
      }
    }
    return answer(topicAgentId, decision.state, decision.reason);
  };
  return Object.assign(handle, { tell: answer });
}

type Checked = { ok: true; request: EnrollRequest } | { ok: false; reason: string };

function check(topicAgentId: string, payload: Uint8Array, nowMs: number): Checked {
  let request: EnrollRequest;
  try {
    request = parsePayload(
      EnrollRequestSchema,
      payload,
      ENROLL_LIMITS.maxRequestBytes,
      'enrollment request',
      'MALFORMED_MESSAGE',
    );
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  if (request.agentId !== topicAgentId)
    return { ok: false, reason: `the request names ${request.agentId} on ${topicAgentId}'s topic` };
  if (request.agentId.startsWith(SERVER_CLIENT_ID_PREFIX))
    return { ok: false, reason: 'the agent id is reserved for servers' };
  const skewMs = Math.abs(Date.parse(request.sentAt) - nowMs);
  if (skewMs > ENROLL_LIMITS.maxSkewMs) {
    return {
      ok: false,
      reason: `sentAt ${request.sentAt} is ${Math.round(skewMs / 1000)} s from the server's clock (at most ${ENROLL_LIMITS.maxSkewMs / 1000} s); check the agent's clock`,
    };
  }
  let isSigned: boolean;
  try {
    isSigned = enrollSignatureValid(request);
  } catch (err) {
    // Text no canonical form holds (a lone UTF-16 surrogate) cannot carry a signature: refused, and said.
    return { ok: false, reason: `the request has no canonical form to verify: ${(err as Error).message}` };
  }
  if (!isSigned) return { ok: false, reason: 'the signature does not verify with the public key in the request' };
  return { ok: true, request };
}
