import type { SignedAction } from '../../protocol/action.js';
import type { ActionRecord, InvestigatorRecord } from '../../protocol/api.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { UserError } from '../../protocol/errors.js';
import { Keyring, verifyAll } from '../../protocol/signature.js';
import { addSignature } from './action-signing.js';
import type { ApiClient } from './api-client.js';
import type { Signer } from './signer.js';

/**
 * The second half of the two-person rule, shared by `mig action approve` and the console: the
 * approver signs exactly the action they were shown, never a copy fetched again afterwards (a
 * server that swapped it in between would get the approver's signature on something unseen).
 */

export interface CoSignature {
  /** Armored detached signature over the shown action's canonical bytes. */
  signature: string;
  /** Fingerprints of the signatures already there, verified here with the investigators' keys. */
  existingSigners: string[];
}

/**
 * The signers of the signatures already on the action, verified against the active
 * investigators' keys: a claim of "alice signed this" is proven here, not taken from the
 * server's record. Refuses, with CONFLICT, an action `me` already signed.
 */
export async function verifiedSigners(
  shown: SignedAction,
  investigators: readonly InvestigatorRecord[],
  me: string,
): Promise<string[]> {
  const ring = await Keyring.fromArmored(investigators.filter((i) => i.status === 'active').map((i) => i.publicKey));
  const signers = await verifyAll(canonicalActionBytes(shown), shown.signatures, ring);
  if (signers.includes(me.toLowerCase())) {
    throw new UserError(
      'CONFLICT',
      `action ${shown.id} is already signed by your key ${me}`,
      'the two-person rule needs another investigator',
    );
  }
  return signers;
}

/** Verifies what is there (see verifiedSigners), then adds the signer's signature over the shown action. */
export async function coSign(
  shown: SignedAction,
  signer: Signer,
  investigators: readonly InvestigatorRecord[],
): Promise<CoSignature> {
  const existingSigners = await verifiedSigners(shown, investigators, signer.fingerprint);
  const signed = await addSignature(shown, signer);
  const signature = signed.signatures.at(-1);
  if (signature === undefined) throw new UserError('SIGNER_FAILED', 'the signer returned no signature');
  return { signature, existingSigners };
}

/** Co-signs the action as shown and hands the signature to the server, which launches it once enough investigators signed. */
export async function approveShownAction(
  client: ApiClient,
  signer: Signer,
  shown: SignedAction,
): Promise<ActionRecord> {
  const { investigators } = await client.listInvestigators();
  const { signature } = await coSign(shown, signer, investigators);
  return client.addSignature(shown.id, signature);
}
