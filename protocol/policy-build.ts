import type { Acl, AclEntry } from './acl.js';
import { defaultAcl } from './acl.js';
import { UserError } from './errors.js';
import { POLICY_VERSION, UnsignedPolicySchema, type UnsignedPolicy } from './policy.js';
import { describeIssues } from './zod-issues.js';

/** An investigator as the next bundle lists them. */
export interface PolicyMember {
  name: string;
  fingerprint: string;
  publicKey: string;
  isAdmin: boolean;
}

export interface NextPolicyInput {
  /** The version held now (0: none published); the next bundle takes the one after. */
  currentVersion: number;
  issuedAt: Date;
  /** The ACTIVE investigators: everyone else loses their say on agents. */
  members: readonly PolicyMember[];
  /** Admin signatures the next bundle needs; capped by how many admins there are is NOT done: a threshold above them is an error. */
  threshold: number;
  /** The ACL to carry forward (the current bundle's); default: defaultAcl over the members. */
  previousAcl?: Acl;
  /** An ACL chosen by the admin, used as is. */
  acl?: Acl;
  allowedModules?: readonly string[];
}

/**
 * The ACL of the next bundle when the admin gives none: the current one, with the weights of
 * investigators no longer active removed and each newly active investigator weighing 1 in
 * every entry (what defaultAcl gives everyone). Minimum weights stay as they were.
 */
export function nextAcl(previous: Acl | undefined, active: readonly string[]): Acl {
  if (previous === undefined) return defaultAcl(active);
  const known = new Set(Object.values(previous).flatMap((e) => Object.keys(e.weights)));
  const out: Acl = {};
  for (const [module, entry] of Object.entries(previous)) {
    const weights: AclEntry['weights'] = {};
    for (const fp of active) weights[fp] = known.has(fp) ? (entry.weights[fp] ?? 0) : 1;
    out[module] = { minimumWeight: entry.minimumWeight, weights };
  }
  return out;
}

/** The unsigned next bundle, checked by the same schema agents use; errors name the field. */
export function buildNextPolicy(input: NextPolicyInput): UnsignedPolicy {
  const active = input.members.map((m) => m.fingerprint.toLowerCase());
  const admins = input.members.filter((m) => m.isAdmin).map((m) => m.fingerprint.toLowerCase());
  if (admins.length === 0) {
    throw new UserError(
      'CONFLICT',
      'the next policy bundle would have no admin',
      'enable an admin first: agents need an admin key to accept later bundles',
    );
  }
  if (input.threshold > admins.length) {
    throw new UserError(
      'CONFLICT',
      `the policy threshold is ${input.threshold} but only ${admins.length} admin(s) are active`,
      "enable or add admins, or lower the server's --policy-threshold",
    );
  }
  const draft = {
    v: POLICY_VERSION,
    kind: 'policy' as const,
    version: input.currentVersion + 1,
    issuedAt: input.issuedAt.toISOString(),
    investigators: input.members.map((m) => ({
      name: m.name,
      fingerprint: m.fingerprint.toLowerCase(),
      publicKey: m.publicKey,
    })),
    acl: input.acl ?? nextAcl(input.previousAcl, active),
    ...(input.allowedModules === undefined ? {} : { allowedModules: [...input.allowedModules] }),
    admins: { fingerprints: admins, threshold: input.threshold },
  };
  const parsed = UnsignedPolicySchema.safeParse(draft);
  if (!parsed.success) throw new UserError('BAD_REQUEST', `next policy bundle: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
