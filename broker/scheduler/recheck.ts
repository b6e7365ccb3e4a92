import type { SignedAction } from '../../protocol/action.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { BaseError, UserError } from '../../protocol/errors.js';
import { verifyDetached } from '../../protocol/signature.js';
import type { Investigators } from '../auth/investigators.js';

/**
 * Re-verifies every signature an action carries against the investigators as they are NOW.
 * A signature was checked when it arrived, but its signer may have been disabled since: their
 * signature must then stop counting, at co-sign time (the two-person rule would otherwise count
 * a revoked investigator) and at launch, scheduled launches included. Throws SIGNER_DISABLED
 * naming who, or the verifier's own code (UNKNOWN_SIGNER, BAD_SIGNATURE) for anything else.
 * Returns the distinct active signers.
 */
export async function recheckSignatures(action: SignedAction, investigators: Investigators): Promise<string[]> {
  const bytes = canonicalActionBytes(action);
  const signers = new Set<string>();
  const disabled: string[] = [];
  for (const signature of action.signatures) {
    try {
      signers.add(await verifyDetached(bytes, signature, investigators.activeKeyring()));
    } catch (err) {
      if (!(err instanceof BaseError && err.code === 'UNKNOWN_SIGNER')) throw err;
      // Only a signature proven genuine with the disabled key names its signer.
      const fingerprint = await verifyDetached(bytes, signature, investigators.disabledKeyring()).catch(() => {
        throw err;
      });
      disabled.push(`${investigators.get(fingerprint)?.name ?? 'an investigator'} (${fingerprint})`);
    }
  }
  if (disabled.length > 0) {
    const who = disabled.join(' and ');
    throw new UserError(
      'SIGNER_DISABLED',
      `${who} ${disabled.length === 1 ? 'is' : 'are'} disabled: ${disabled.length === 1 ? 'their signature no longer counts' : 'their signatures no longer count'}`,
      'have active investigators sign the action again (a new action), or ask an admin to enable the signer',
    );
  }
  return [...signers];
}
