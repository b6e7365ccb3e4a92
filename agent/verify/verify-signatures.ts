import { canonicalActionBytes } from '../../protocol/canonical.js';
import { verifyAll, type Keyring } from '../../protocol/signature.js';
import type { ParsedAction } from './parse-envelope.js';

/**
 * Step 2: every signature must verify against the agent's baked keyring (one bad or unknown
 * signature refuses the whole action: NO_SIGNATURE, BAD_SIGNATURE, UNKNOWN_SIGNER).
 * Returns the distinct signer fingerprints, so a key that signed twice weighs once.
 */
export async function verifySignatures(parsed: ParsedAction, keyring: Keyring): Promise<string[]> {
  return verifyAll(canonicalActionBytes(parsed.raw), parsed.action.signatures, keyring);
}
