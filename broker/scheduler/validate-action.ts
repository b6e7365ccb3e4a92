import { SignedActionSchema, type SignedAction } from '../../protocol/action.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { BaseError, ProtocolError, UserError, VerificationError } from '../../protocol/errors.js';
import { verifyAll, verifyDetached } from '../../protocol/signature.js';
import { parseTarget, type TargetExpr } from '../../protocol/target/index.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import type { Investigators } from '../auth/investigators.js';

/** Longest validity window accepted: agents keep action ids in their replay journal this long. */
export const MAX_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

export interface ValidatedAction {
  action: SignedAction;
  /** Verified signer fingerprints, distinct. */
  signers: string[];
  target: TargetExpr;
}

/**
 * What the server checks before it accepts an action, in order: shape, signatures by active
 * investigators, a sane validity window, a target it can evaluate. The server is not the
 * authority (agents check all of this again, plus the ACL); refusing early just spares the
 * fleet a doomed action and tells the investigator why, with a code.
 */
export async function validateAction(raw: unknown, investigators: Investigators, now: Date): Promise<ValidatedAction> {
  const action = parseShape(raw);
  const signers = await verifySigners(raw as Record<string, unknown>, action, investigators);
  checkWindow(action, now);
  return { action, signers, target: parseTarget(action.target) };
}

function parseShape(raw: unknown): SignedAction {
  const parsed = SignedActionSchema.safeParse(raw);
  if (!parsed.success) throw new ProtocolError('MALFORMED_ACTION', `action: ${describeIssues(parsed.error)}`);
  // We store and forward the parsed copy: it must be byte-for-byte what was signed.
  const signed = Buffer.from(canonicalActionBytes(raw as Record<string, unknown>));
  if (!signed.equals(Buffer.from(canonicalActionBytes(parsed.data)))) {
    throw new ProtocolError('MALFORMED_ACTION', 'action: does not survive parsing unchanged (odd keys such as __proto__?)');
  }
  return parsed.data;
}

async function verifySigners(raw: Record<string, unknown>, action: SignedAction, investigators: Investigators): Promise<string[]> {
  const bytes = canonicalActionBytes(raw);
  try {
    return await verifyAll(bytes, action.signatures, investigators.activeKeyring());
  } catch (err) {
    if (err instanceof BaseError && err.code === 'UNKNOWN_SIGNER') await refuseIfDisabled(bytes, action.signatures, investigators);
    throw err;
  }
}

/**
 * One more signature over an action already stored (the two-person rule's second signer): it
 * must verify with an active investigator's key. Returns the signer's fingerprint.
 */
export async function verifyCoSigner(action: SignedAction, signature: string, investigators: Investigators): Promise<string> {
  const bytes = canonicalActionBytes(action);
  try {
    return await verifyDetached(bytes, signature, investigators.activeKeyring());
  } catch (err) {
    if (err instanceof BaseError && err.code === 'UNKNOWN_SIGNER') await refuseIfDisabled(bytes, [signature], investigators);
    throw err;
  }
}

/** An unknown signer may be a disabled one: say so, once their signature is proven genuine. */
async function refuseIfDisabled(bytes: Uint8Array, signatures: readonly string[], investigators: Investigators): Promise<void> {
  for (const signature of signatures) {
    let fingerprint: string;
    try {
      fingerprint = await verifyDetached(bytes, signature, investigators.disabledKeyring());
    } catch {
      continue;
    }
    const name = investigators.get(fingerprint)?.name ?? fingerprint;
    throw new UserError('FORBIDDEN', `signer ${name} (${fingerprint}) is disabled`, 'have an active investigator sign, or ask an admin to enable the signer');
  }
}

function checkWindow(action: SignedAction, now: Date): void {
  const fromMs = Date.parse(action.validFrom);
  const untilMs = Date.parse(action.expireAfter);
  const nowMs = now.getTime();
  if (untilMs <= fromMs) {
    throw new UserError('BAD_REQUEST', `expireAfter (${action.expireAfter}) is not after validFrom (${action.validFrom})`, 'sign a window that ends after it starts');
  }
  if (untilMs <= nowMs) {
    throw new VerificationError('EXPIRED', `the action expired at ${action.expireAfter} (server time ${now.toISOString()})`);
  }
  if (untilMs - fromMs > MAX_VALIDITY_MS) {
    throw new UserError('BAD_REQUEST', `validity window is ${Math.round((untilMs - fromMs) / 3_600_000)} h, the limit is ${MAX_VALIDITY_MS / 3_600_000} h`, 'sign a shorter window');
  }
  if (fromMs - nowMs > MAX_VALIDITY_MS) {
    throw new UserError('BAD_REQUEST', `validFrom ${action.validFrom} is more than ${MAX_VALIDITY_MS / 3_600_000} h ahead`, 'sign it closer to when it should run');
  }
}
