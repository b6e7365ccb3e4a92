import * as openpgp from 'openpgp';
import {
  SignedActionSchema,
  UnsignedActionSchema,
  type SignedAction,
  type UnsignedAction,
} from '../../protocol/action.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { UserError } from '../../protocol/errors.js';
import { ACTION_LIMITS } from '../../protocol/limits.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import type { Signer } from './signer.js';

/**
 * Signing actions, shared by hunts, `mig action sign` and `mig action import`. An action file
 * may come from another investigator: it is parsed with the strict schemas before anything is
 * signed, so we never sign keys we did not see validated.
 */

/** Parses an action file's JSON: with `signatures` it must be a SignedAction, without an UnsignedAction. */
export function parseActionFile(raw: unknown, what: string): SignedAction {
  const hasSignatures = typeof raw === 'object' && raw !== null && 'signatures' in raw;
  if (hasSignatures) {
    const parsed = SignedActionSchema.safeParse(raw);
    if (!parsed.success)
      throw new UserError('BAD_REQUEST', `${what}: not a valid action: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }
  const parsed = UnsignedActionSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError('BAD_REQUEST', `${what}: not a valid action: ${describeIssues(parsed.error)}`);
  return { ...parsed.data, signatures: [] };
}

/** The key ids a detached signature names as its issuer (lowercase hex). */
export async function signatureKeyIds(armoredSignature: string): Promise<string[]> {
  try {
    const sig = await openpgp.readSignature({ armoredSignature });
    return sig.getSigningKeyIDs().map((id) => id.toHex().toLowerCase());
  } catch (err) {
    throw new UserError('BAD_SIGNATURE', 'the action carries a signature that is not armored OpenPGP', undefined, {
      cause: err,
    });
  }
}

async function ownKeyIds(signer: Signer): Promise<Set<string>> {
  const key = await openpgp.readKey({ armoredKey: await signer.publicKeyArmored() });
  return new Set(key.getKeyIDs().map((id) => id.toHex().toLowerCase()));
}

/**
 * Adds the signer's detached signature over the canonical bytes. Refuses a second signature by
 * the same key: it would add no weight and only hide that a second person is missing.
 */
export async function addSignature(action: SignedAction, signer: Signer): Promise<SignedAction> {
  const mine = await ownKeyIds(signer);
  for (const sig of action.signatures) {
    if ((await signatureKeyIds(sig)).some((id) => mine.has(id))) {
      throw new UserError(
        'CONFLICT',
        `action ${action.id} is already signed by your key ${signer.fingerprint}`,
        'ask another investigator to co-sign',
      );
    }
  }
  if (action.signatures.length >= ACTION_LIMITS.maxSignatures) {
    throw new UserError(
      'BAD_REQUEST',
      `action ${action.id} already carries ${action.signatures.length} signatures, the limit`,
    );
  }
  const signature = await signer.sign(canonicalActionBytes(action));
  return { ...action, signatures: [...action.signatures, signature] };
}

/** Signs a fresh action (the first signature). */
export async function signAction(action: UnsignedAction, signer: Signer): Promise<SignedAction> {
  return addSignature({ ...action, signatures: [] }, signer);
}
