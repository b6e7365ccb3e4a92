import { SignedActionSchema, type SignedAction } from '../../protocol/action.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { checkActionLimits } from '../../protocol/check-operations.js';
import { BaseError, ProtocolError, UserError } from '../../protocol/errors.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { verifyAll, verifyDetached } from '../../protocol/signature.js';
import { parseTarget, type TargetExpr } from '../../protocol/target/index.js';
import { describeIssues } from '../../protocol/zod-issues.js';
// Specs only (schemas and metadata), never run code: test/architecture.test.ts holds the broker to that.
import { moduleSpecs } from '../../modules/registry.js';
import type { Investigators } from '../auth/investigators.js';

export interface ValidatedAction {
  action: SignedAction;
  /** Verified signer fingerprints, distinct. */
  signers: string[];
  target: TargetExpr;
}

/**
 * What the server checks before it accepts an action, cheapest first: shape, the limits of
 * protocol/limits.ts (size, validity window), a target it can evaluate, every operation's
 * parameters against its module's spec schema, then signatures by active investigators. The
 * server is not the authority (agents check all of this again, plus the ACL); refusing early
 * spares the fleet a doomed action and tells the investigator why, with a code naming the field.
 */
export async function validateAction(
  raw: unknown,
  investigators: Investigators,
  now: Date,
  specs: ReadonlyMap<string, AnyModuleSpec> = moduleSpecs,
): Promise<ValidatedAction> {
  const action = parseShape(raw);
  checkActionLimits(action, specs, now);
  const target = parseTarget(action.target);
  const signers = await verifySigners(raw as Record<string, unknown>, action, investigators);
  return { action, signers, target };
}

function parseShape(raw: unknown): SignedAction {
  const parsed = SignedActionSchema.safeParse(raw);
  if (!parsed.success) throw new ProtocolError('MALFORMED_ACTION', `action: ${describeIssues(parsed.error)}`);
  // We store and forward the parsed copy: it must be byte-for-byte what was signed.
  const signed = Buffer.from(canonicalActionBytes(raw as Record<string, unknown>));
  if (!signed.equals(Buffer.from(canonicalActionBytes(parsed.data)))) {
    throw new ProtocolError(
      'MALFORMED_ACTION',
      'action: does not survive parsing unchanged (odd keys such as __proto__?)',
    );
  }
  return parsed.data;
}

async function verifySigners(
  raw: Record<string, unknown>,
  action: SignedAction,
  investigators: Investigators,
): Promise<string[]> {
  const bytes = canonicalActionBytes(raw);
  try {
    return await verifyAll(bytes, action.signatures, investigators.activeKeyring());
  } catch (err) {
    if (err instanceof BaseError && err.code === 'UNKNOWN_SIGNER')
      await refuseIfDisabled(bytes, action.signatures, investigators);
    throw err;
  }
}

/**
 * One more signature over an action already stored (the two-person rule's second signer): it
 * must verify with an active investigator's key. Returns the signer's fingerprint.
 */
export async function verifyCoSigner(
  action: SignedAction,
  signature: string,
  investigators: Investigators,
): Promise<string> {
  const bytes = canonicalActionBytes(action);
  try {
    return await verifyDetached(bytes, signature, investigators.activeKeyring());
  } catch (err) {
    if (err instanceof BaseError && err.code === 'UNKNOWN_SIGNER')
      await refuseIfDisabled(bytes, [signature], investigators);
    throw err;
  }
}

/** An unknown signer may be a disabled one: say so, once their signature is proven genuine. */
async function refuseIfDisabled(
  bytes: Uint8Array,
  signatures: readonly string[],
  investigators: Investigators,
): Promise<void> {
  for (const signature of signatures) {
    let fingerprint: string;
    try {
      fingerprint = await verifyDetached(bytes, signature, investigators.disabledKeyring());
    } catch {
      continue;
    }
    const name = investigators.get(fingerprint)?.name ?? fingerprint;
    throw new UserError(
      'FORBIDDEN',
      `signer ${name} (${fingerprint}) is disabled`,
      'have an active investigator sign, or ask an admin to enable the signer',
    );
  }
}
