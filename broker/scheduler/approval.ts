import type { Approval } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { isResponseModule } from '../../protocol/limits.js';

/** How many distinct investigators must sign before the server launches an action. */
export interface ApprovalPolicy {
  /** For actions with at least one response module (default 2). */
  responseSigners: number;
  /** For everything else (default 1). */
  defaultSigners: number;
}

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { responseSigners: 2, defaultSigners: 1 };

/**
 * The one place the server decides the two-person rule. It mirrors defaultAcl() (protocol/acl.ts):
 * it goes by the protocol's one list of response modules, as agents do.
 * This only spares agents a doomed action and gives the second investigator a place to sign;
 * agents enforce their own ACL whatever the server decides.
 */
export function requiredSigners(modules: readonly string[], policy: ApprovalPolicy = DEFAULT_APPROVAL_POLICY): number {
  return modules.some(isResponseModule) ? policy.responseSigners : policy.defaultSigners;
}

/** The record's approval field: absent when one signer is enough (the common, investigative case). */
export function approvalOf(
  modules: readonly string[],
  signers: readonly string[],
  policy: ApprovalPolicy,
): Approval | undefined {
  const required = requiredSigners(modules, policy);
  return required <= 1 ? undefined : { required, signers: [...signers] };
}

/** Parses a policy override: whole numbers of at least 1. */
export function approvalPolicy(over: Partial<ApprovalPolicy> = {}): ApprovalPolicy {
  const policy = { ...DEFAULT_APPROVAL_POLICY, ...over };
  for (const [key, value] of Object.entries(policy)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new UserError('CONFIG_INVALID', `approval policy ${key}: expected a whole number >= 1, got ${value}`);
    }
  }
  return policy;
}
