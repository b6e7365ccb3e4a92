import type { SignedAction } from '../../protocol/action.js';
import { checkAcl, type Acl } from '../../protocol/acl.js';
import { PolicyError } from '../../protocol/errors.js';

/**
 * Step 5: may these signers run these modules here? The module allowlist comes first (an
 * operator who disabled a module does not care who signed), then the ACL weights: the summed
 * weight of distinct signers must reach each module's minimum (two-person rule).
 * `allowedModules` undefined means every registered module; unknown modules are refused later
 * with UNKNOWN_MODULE.
 */
export function checkPolicy(
  action: SignedAction,
  signers: readonly string[],
  acl: Acl,
  allowedModules: ReadonlySet<string> | undefined,
): void {
  const modules = action.operations.map((op) => op.module);
  if (allowedModules !== undefined) {
    const refused = modules.filter((m) => !allowedModules.has(m));
    if (refused.length > 0) {
      throw new PolicyError(
        'MODULE_NOT_ALLOWED',
        `module ${[...new Set(refused)].join(', ')} is not in this agent's allowedModules (${[...allowedModules].join(', ') || 'none'})`,
      );
    }
  }
  checkAcl(acl, modules, signers);
}
