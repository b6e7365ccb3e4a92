import { z } from 'zod';
import { FingerprintSchema } from './action.js';
import { PolicyError } from './errors.js';
import { RESPONSE_MODULES } from './limits.js';

/**
 * Per-module permissions, enforced by the agent itself (the two-person rule lives here, not on
 * the server). Each entry: the weight the distinct signers must reach, and each investigator's
 * weight by fingerprint. A module without an entry uses `default`.
 */
export const AclEntrySchema = z.strictObject({
  minimumWeight: z.number().int().min(1).describe('summed weight of distinct signers needed'),
  weights: z.record(FingerprintSchema, z.number().int().min(0)).describe('investigator fingerprint -> weight'),
});
export const AclSchema = z
  .record(z.string(), AclEntrySchema)
  .refine((acl) => acl.default !== undefined, { message: 'the ACL needs a `default` entry' });

export type AclEntry = z.infer<typeof AclEntrySchema>;
export type Acl = z.infer<typeof AclSchema>;

/**
 * The ACL an agent gets when its operator writes none: every listed investigator weighs 1,
 * investigation needs 1, response modules need 2.
 */
export function defaultAcl(fingerprints: readonly string[]): Acl {
  const weights = Object.fromEntries(fingerprints.map((fp) => [fp.toLowerCase(), 1]));
  const acl: Acl = { default: { minimumWeight: 1, weights } };
  for (const mod of RESPONSE_MODULES) acl[mod] = { minimumWeight: 2, weights };
  return acl;
}

/** Throws PolicyError ACL_WEIGHT_TOO_LOW naming the module, the weight reached and the weight needed. */
export function checkAcl(acl: Acl, modules: readonly string[], signers: readonly string[]): void {
  const distinct = [...new Set(signers.map((s) => s.toLowerCase()))];
  for (const mod of new Set(modules)) {
    const entry = acl[mod] ?? acl.default;
    if (entry === undefined)
      throw new PolicyError('ACL_WEIGHT_TOO_LOW', `no ACL entry for module ${mod} and no default`);
    const weight = distinct.reduce((sum, fp) => sum + (entry.weights[fp] ?? 0), 0);
    if (weight < entry.minimumWeight) {
      throw new PolicyError(
        'ACL_WEIGHT_TOO_LOW',
        `module ${mod} needs signatures weighing ${entry.minimumWeight}, the action's ${distinct.length} distinct signer(s) weigh ${weight}`,
      );
    }
  }
}
