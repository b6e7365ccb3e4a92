import type * as openpgp from 'openpgp';
import { z } from 'zod';
import { FingerprintSchema } from './action.js';
import { AclSchema } from './acl.js';
import { canonicalJsonBytes } from './canonical.js';
import { PolicyBundleError } from './errors.js';
import { Keyring, openpgpModule, verifyDetached } from './signature.js';
import { describeIssues } from './zod-issues.js';

/**
 * Policy bundles: how revocation and key rotation reach agents (TUF's root metadata, applied to
 * MIG's investigator keys). A bundle lists the ACTIVE investigators' public keys, the ACL, an
 * optional module allowlist and the admin set; admins sign the RFC 8785 canonical JSON of the
 * bundle without `signatures`. Agents and the server verify with the one function below.
 *
 * Rules (doc/security.md, "Policy bundles, revocation and rotation"):
 * - `version` only goes forward: a bundle not newer than the one held is POLICY_ROLLBACK.
 * - at least `threshold` DISTINCT admins of the CURRENT trust state must sign it;
 * - when the bundle changes the admin set or threshold, the NEW set's threshold must sign it
 *   too, so a rotation needs both the old admins' consent and proof that the new ones hold
 *   their keys (and every accepted bundle is then signed by a threshold of its own admins,
 *   which is what lets an agent re-check its stored bundle at start).
 * Signatures by anyone else are ignored here (as TUF ignores them); the server, which only
 * relays, refuses to store such a bundle so that an admin notices.
 */
export const POLICY_VERSION = 1;
export const POLICY_LIMITS = {
  /** Bytes of the whole bundle text: it travels in one MQTT message and one API body. */
  maxBytes: 256 * 1024,
  maxInvestigators: 256,
  maxAdmins: 32,
  maxSignatures: 32,
  maxPublicKeyChars: 16 * 1024,
  maxSignatureChars: 16 * 1024,
} as const;

const IsoTime = z.iso.datetime({ offset: true });

export const PolicyInvestigatorSchema = z.strictObject({
  name: z.string().min(1).max(128),
  fingerprint: FingerprintSchema,
  publicKey: z.string().min(1).max(POLICY_LIMITS.maxPublicKeyChars).describe('armored OpenPGP public key'),
});

export const PolicyAdminsSchema = z.strictObject({
  fingerprints: z.array(FingerprintSchema).min(1).max(POLICY_LIMITS.maxAdmins),
  threshold: z.number().int().min(1).max(POLICY_LIMITS.maxAdmins),
});
export type PolicyAdmins = z.infer<typeof PolicyAdminsSchema>;

const bundleFields = {
  v: z.literal(POLICY_VERSION),
  kind: z.literal('policy'),
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  issuedAt: IsoTime,
  investigators: z.array(PolicyInvestigatorSchema).max(POLICY_LIMITS.maxInvestigators),
  acl: AclSchema,
  allowedModules: z.array(z.string().min(1).max(40)).max(64).optional(),
  admins: PolicyAdminsSchema,
};

type BundleShape = { investigators: { fingerprint: string }[]; admins: PolicyAdmins };

/** Fingerprints unique; every admin is a listed investigator (their key travels here); threshold reachable. */
function checkConsistency(bundle: BundleShape, ctx: z.RefinementCtx): void {
  const fps = bundle.investigators.map((i) => i.fingerprint);
  if (new Set(fps).size !== fps.length)
    ctx.addIssue({ code: 'custom', path: ['investigators'], message: 'an investigator fingerprint is listed twice' });
  const admins = bundle.admins.fingerprints;
  if (new Set(admins).size !== admins.length)
    ctx.addIssue({ code: 'custom', path: ['admins', 'fingerprints'], message: 'an admin is listed twice' });
  for (const [i, fp] of admins.entries()) {
    if (!fps.includes(fp))
      ctx.addIssue({
        code: 'custom',
        path: ['admins', 'fingerprints', i],
        message: `admin ${fp} is not among the investigators`,
      });
  }
  if (bundle.admins.threshold > admins.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['admins', 'threshold'],
      message: `threshold ${bundle.admins.threshold} is more than the ${admins.length} admin(s)`,
    });
  }
}

export const UnsignedPolicySchema = z.strictObject(bundleFields).superRefine(checkConsistency);
export const SignedPolicySchema = z
  .strictObject({
    ...bundleFields,
    signatures: z.array(z.string().max(POLICY_LIMITS.maxSignatureChars)).max(POLICY_LIMITS.maxSignatures),
  })
  .superRefine(checkConsistency);
export type UnsignedPolicy = z.infer<typeof UnsignedPolicySchema>;
export type SignedPolicy = z.infer<typeof SignedPolicySchema>;

/** What a verifier trusts before it reads a bundle: the version it holds and the admins who may move it. */
export interface PolicyTrust {
  /** 0: only the baked config. */
  version: number;
  admins: PolicyAdmins;
  /** Public keys of (at least) the admins, by lowercase fingerprint. */
  adminKeys: ReadonlyMap<string, openpgp.PublicKey>;
}

export interface ParsedPolicy {
  /** Exactly what JSON.parse produced: signatures are checked over its canonical bytes. */
  raw: Record<string, unknown>;
  bundle: SignedPolicy;
}

/** The bytes admins sign: canonical JSON of the bundle without `signatures`. */
export function policySigningBytes(bundle: Readonly<Record<string, unknown>>): Uint8Array {
  const { signatures: _ignored, ...signed } = bundle;
  return canonicalJsonBytes(signed);
}

/** Size, JSON, strict schema, and the parsed copy must be what was signed. Attacker-controlled input. */
export function parsePolicyText(text: string): ParsedPolicy {
  const size = Buffer.byteLength(text);
  if (size > POLICY_LIMITS.maxBytes) throw invalid(`${size} bytes, the limit is ${POLICY_LIMITS.maxBytes}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalid(`not JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('expected a JSON object');
  const parsed = SignedPolicySchema.safeParse(raw);
  if (!parsed.success) throw invalid(describeIssues(parsed.error));
  const record = raw as Record<string, unknown>;
  if (!Buffer.from(policySigningBytes(record)).equals(Buffer.from(policySigningBytes(parsed.data)))) {
    throw invalid('does not survive parsing unchanged (odd keys such as __proto__?)');
  }
  return { raw: record, bundle: parsed.data };
}

/**
 * Each listed key (or only those whose fingerprint is in `only`) parsed once; its real
 * fingerprint must be the one the bundle states.
 */
export async function readPolicyKeys(
  bundle: Pick<SignedPolicy, 'investigators'>,
  only?: readonly string[],
): Promise<Map<string, openpgp.PublicKey>> {
  const openpgp = await openpgpModule();
  const keys = new Map<string, openpgp.PublicKey>();
  for (const [i, inv] of bundle.investigators.entries()) {
    if (only !== undefined && !only.includes(inv.fingerprint)) continue;
    let key: openpgp.Key;
    try {
      key = await openpgp.readKey({ armoredKey: inv.publicKey });
    } catch (err) {
      throw invalid(`investigators.${i}.publicKey: not an armored OpenPGP public key (${(err as Error).message})`);
    }
    if (key.isPrivate()) throw invalid(`investigators.${i}.publicKey: a private key; bundles carry public keys only`);
    const actual = key.getFingerprint().toLowerCase();
    if (actual !== inv.fingerprint)
      throw invalid(`investigators.${i}: the key's fingerprint is ${actual}, the bundle says ${inv.fingerprint}`);
    keys.set(actual, key);
  }
  return keys;
}

export interface PolicyCheck extends ParsedPolicy {
  text: string;
  /** Every investigator key of the bundle, by fingerprint. */
  keys: Map<string, openpgp.PublicKey>;
  /** Distinct admins (current or new) whose signatures verified. */
  signers: string[];
  /** Signatures that count for nothing, and why (not an admin, bad signature). */
  ignored: string[];
  /** Why the signatures are not enough; undefined when they are. */
  shortfall: string | undefined;
  /** The trust state the bundle establishes once applied. */
  next: PolicyTrust;
}

/**
 * Everything but the verdict on the threshold: parse, version, keys, signatures. Throws
 * POLICY_INVALID or POLICY_ROLLBACK; leaves `shortfall` for the caller (the server keeps an
 * under-signed bundle pending, an agent refuses it).
 */
export function checkPolicyBundle(text: string, trust: PolicyTrust): Promise<PolicyCheck> {
  return examine(text, trust, false);
}

/** The pure verdict: a bundle an agent may apply, or a coded refusal. */
export function verifyPolicyBundle(text: string, trust: PolicyTrust): Promise<PolicyCheck> {
  return examine(text, trust, true);
}

/**
 * Cheap refusals first, for bundles pushed by whoever holds the broker: version before any
 * crypto, then only the admins' keys (at most 32) for the signatures, and the other listed keys
 * (up to 256, ~0.7 ms each) only once the signatures are known to be enough, when `isStrict`.
 */
async function examine(text: string, trust: PolicyTrust, isStrict: boolean): Promise<PolicyCheck> {
  const parsed = parsePolicyText(text);
  const { bundle } = parsed;
  if (bundle.version <= trust.version) {
    throw new PolicyBundleError(
      'POLICY_ROLLBACK',
      `policy version ${bundle.version} is not newer than version ${trust.version}, which is held`,
    );
  }
  const next: PolicyTrust = {
    version: bundle.version,
    admins: bundle.admins,
    adminKeys: await readPolicyKeys(bundle, bundle.admins.fingerprints),
  };
  const ring = new Keyring();
  for (const key of [...trust.adminKeys.values(), ...next.adminKeys.values()]) ring.add(key);
  const bytes = policySigningBytes(parsed.raw);
  const signers = new Set<string>();
  const ignored: string[] = [];
  for (const signature of bundle.signatures) {
    try {
      signers.add(await verifyDetached(bytes, signature, ring));
    } catch (err) {
      ignored.push((err as Error).message.replace('a trusted investigator key', 'an admin key'));
    }
  }
  const distinct = [...signers];
  const short = shortfall(distinct, trust, next, ignored);
  if (isStrict && short !== undefined)
    throw new PolicyBundleError('POLICY_UNDER_SIGNED', `policy version ${bundle.version}: ${short}`);
  const keys = await readPolicyKeys(bundle);
  return { ...parsed, text, keys, signers: distinct, ignored, shortfall: short, next };
}

/** The trust state a stored bundle establishes by itself: used to re-check it at start. */
export async function selfTrustOf(bundle: SignedPolicy): Promise<PolicyTrust> {
  return { version: 0, admins: bundle.admins, adminKeys: await readPolicyKeys(bundle, bundle.admins.fingerprints) };
}

export function isSameAdmins(a: PolicyAdmins, b: PolicyAdmins): boolean {
  const sorted = (x: PolicyAdmins): string => JSON.stringify([...x.fingerprints].sort());
  return a.threshold === b.threshold && sorted(a) === sorted(b);
}

function shortfall(
  signers: readonly string[],
  current: PolicyTrust,
  next: PolicyTrust,
  ignored: readonly string[],
): string | undefined {
  const also = ignored.length === 0 ? '' : `; ignored: ${ignored.join('; ')}`;
  const byCurrent = signers.filter((fp) => current.admins.fingerprints.includes(fp));
  if (byCurrent.length < current.admins.threshold) {
    return `signed by ${byCurrent.length} of the current admins, ${current.admins.threshold} needed${also}`;
  }
  if (isSameAdmins(current.admins, next.admins)) return undefined;
  const byNext = signers.filter((fp) => next.admins.fingerprints.includes(fp));
  if (byNext.length < next.admins.threshold) {
    return `it changes the admins, and is signed by ${byNext.length} of the new admins, ${next.admins.threshold} needed${also}`;
  }
  return undefined;
}

function invalid(detail: string): PolicyBundleError {
  return new PolicyBundleError('POLICY_INVALID', `policy bundle: ${detail}`);
}
