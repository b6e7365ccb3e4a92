import { ACTION_LIMITS, checkActionSize } from '../../protocol/limits.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { isAwaitingApproval, type ActionRecord, type InvestigatorRecord } from '../../protocol/api.js';
import { checkOperations } from '../../protocol/check-operations.js';
import { UserError, VerificationError } from '../../protocol/errors.js';
import { moduleSpecs } from '../../modules/registry.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Investigators } from '../auth/investigators.js';
import { emitAll, type SchedulerContext } from './context.js';
import { recheckSignatures } from './recheck.js';
import { verifyCoSigner } from './validate-action.js';

export interface CoSignContext extends SchedulerContext {
  investigators: Investigators;
  audit: AuditLog;
  /** Default: modules/registry.ts. */
  specs?: ReadonlyMap<string, AnyModuleSpec>;
}

export interface CoSigned {
  record: ActionRecord;
  /** The signers now reach the requirement: the caller launches it. */
  isApproved: boolean;
}

/**
 * Adds one investigator's signature to an action held for approval (run inside the action's
 * queue). The signature must verify over the stored action's canonical bytes with an active
 * investigator's key, by someone who has not signed yet. It is appended to the action's
 * `signatures`, so every agent receives all of them and checks its own ACL.
 */
export async function addCoSignature(
  ctx: CoSignContext,
  id: string,
  signature: string,
  by: InvestigatorRecord,
): Promise<CoSigned> {
  const current = await ctx.store.getAction(id);
  if (current === undefined)
    throw new UserError(
      'NOT_FOUND',
      `no action ${id}`,
      'GET /actions?status=pending lists the actions waiting for approval',
    );
  const approval = current.approval;
  if (approval === undefined || !isAwaitingApproval(current)) {
    throw new UserError(
      'CONFLICT',
      `action ${id} is ${current.status}, not waiting for approval`,
      'only a pending action held for the two-person rule takes more signatures',
    );
  }
  const now = ctx.clock.now();
  if (Date.parse(current.action.expireAfter) <= now.getTime()) {
    throw new VerificationError(
      'EXPIRED',
      `action ${id} expired at ${current.action.expireAfter} (server time ${now.toISOString()})`,
    );
  }
  if (current.action.signatures.length >= ACTION_LIMITS.maxSignatures) {
    throw new UserError(
      'BAD_REQUEST',
      `action ${id} already carries ${current.action.signatures.length} signatures, the limit`,
    );
  }
  // The signatures already there may be by someone disabled since: they must not count towards the rule.
  await recheckSignatures(current.action, ctx.investigators);
  // Checked again as at submission: the module specs may have changed since (a server upgrade),
  // and the new signature must not push the action over what agents accept.
  checkOperations(current.action.operations, ctx.specs ?? moduleSpecs);
  const action = { ...current.action, signatures: [...current.action.signatures, signature] };
  checkActionSize(action);
  const signer = await verifyCoSigner(current.action, signature, ctx.investigators);
  if (approval.signers.includes(signer)) {
    const name = ctx.investigators.get(signer)?.name ?? signer;
    throw new UserError(
      'CONFLICT',
      `action ${id} is already signed by ${name} (${signer})`,
      'the two-person rule needs another investigator',
    );
  }
  const signers = [...approval.signers, signer];
  const isApproved = signers.length >= approval.required;
  const { reason: _held, ...rest } = current;
  const record: ActionRecord = {
    ...(isApproved ? rest : current),
    action,
    investigators: [...new Set([...current.investigators, signer])],
    approval: { required: approval.required, signers },
  };
  await ctx.store.saveAction(record);
  await ctx.audit.append(by.fingerprint, isApproved ? 'action.approved' : 'action.signed', {
    id,
    signer,
    signers: signers.length,
    required: approval.required,
  });
  emitAll(ctx, record, []);
  return { record, isApproved };
}
