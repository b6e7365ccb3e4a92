import type { EnrollRequest, EnrollState, IdBinding } from '../../protocol/enrollment.js';
import type { StoredAgent } from '../store/store.js';

/**
 * The enrollment policy as a pure decision: given what the registry holds for the id (if
 * anything) and a request whose signature already verified, what to answer and what to store.
 * Pending → accepted | rejected; a key binds to an id once and is never replaced.
 */
export interface EnrollPolicy {
  autoAccept: boolean;
  /** Pending enrollments kept at most; beyond, new requests are refused (nothing stored). */
  maxPending: number;
}

export type EnrollDecision =
  /** Answer `state`; store nothing (nothing changed, or the request is refused). */
  | { store: false; state: EnrollState; reason?: string; isCapped?: boolean }
  /** Store `record` (its enrollment field is the state to answer). */
  | { store: true; record: StoredAgent; state: EnrollState; reason?: string };

export interface EnrollContext {
  existing: StoredAgent | undefined;
  pendingCount: number;
  policy: EnrollPolicy;
  binding: IdBinding;
  passwordHash: string;
  nowIso: string;
}

export function decideEnrollment(request: EnrollRequest, ctx: EnrollContext): EnrollDecision {
  const { existing, policy } = ctx;
  if (existing === undefined) {
    // A legacy id is one the server already knows; a stranger must bring an id its key derives.
    if (ctx.binding === 'legacy')
      return refuse(
        'the agent id does not derive from the public key, and it is not a known agent enrolled before per-agent identity',
      );
    if (!policy.autoAccept && ctx.pendingCount >= policy.maxPending) {
      return {
        store: false,
        state: 'rejected',
        reason: `the server holds ${policy.maxPending} pending enrollments already; retry later`,
        isCapped: true,
      };
    }
    const state: EnrollState = policy.autoAccept ? 'accepted' : 'pending';
    return { store: true, state, record: newRecord(request, ctx, state) };
  }
  if (existing.publicKey !== undefined && existing.publicKey !== request.publicKey) {
    return refuse('another key is already bound to this agent id');
  }
  if (existing.enrollment === 'rejected') return refuse('enrollment rejected by an admin');
  if (existing.publicKey === undefined) {
    if (existing.enrollment === 'pending') return refuse('this agent id has no key bound and is pending');
    // An agent from before per-agent identity: it was in the fleet already, so its one binding
    // keeps it accepted (no admin step for an upgrade); a second key is refused above.
    const record: StoredAgent = {
      ...withFacts(existing, request),
      publicKey: request.publicKey,
      passwordHash: ctx.passwordHash,
      enrollment: 'accepted',
      decidedAt: ctx.nowIso,
      decidedBy: 'legacy-binding',
    };
    return { store: true, state: 'accepted', record };
  }
  const state: EnrollState =
    existing.enrollment === 'pending' && policy.autoAccept ? 'accepted' : (existing.enrollment ?? 'accepted');
  if (existing.passwordHash === ctx.passwordHash && state === existing.enrollment) return { store: false, state };
  // Same key, new password (the agent lost its password file) or auto-accept turned on since:
  // the signature proved possession of the bound key, which is the identity.
  const record: StoredAgent = {
    ...existing,
    passwordHash: ctx.passwordHash,
    enrollment: state,
    ...(state !== existing.enrollment ? { decidedAt: ctx.nowIso, decidedBy: 'auto-accept' } : {}),
  };
  return { store: true, state, record };
}

function refuse(reason: string): EnrollDecision {
  return { store: false, state: 'rejected', reason };
}

function newRecord(request: EnrollRequest, ctx: EnrollContext, state: EnrollState): StoredAgent {
  const base: StoredAgent = {
    id: request.agentId,
    name: request.name,
    ...factsOf(request),
    status: 'offline',
    startedAt: request.sentAt,
    firstSeenAt: ctx.nowIso,
    // No heartbeat yet: the enrollment is the last sign of life.
    lastHeartbeatAt: ctx.nowIso,
    enrollment: state,
    publicKey: request.publicKey,
    passwordHash: ctx.passwordHash,
  };
  return state === 'accepted' ? { ...base, decidedAt: ctx.nowIso, decidedBy: 'auto-accept' } : base;
}

function withFacts(existing: StoredAgent, request: EnrollRequest): StoredAgent {
  return { ...existing, name: request.name, ...factsOf(request) };
}

function factsOf(
  request: EnrollRequest,
): Pick<
  StoredAgent,
  'os' | 'arch' | 'version' | 'mode' | 'queueloc' | 'environment' | 'tags' | 'modules' | 'heartbeatMs'
> {
  const f = request.facts;
  return {
    os: f.os,
    arch: f.arch,
    version: f.version,
    mode: f.mode,
    queueloc: f.queueloc,
    environment: f.environment,
    tags: request.tags,
    modules: f.modules,
    heartbeatMs: f.heartbeatMs,
  };
}
