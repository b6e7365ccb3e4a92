import type { Acl } from '../../protocol/acl.js';
import { buildNextPolicy } from '../../protocol/policy-build.js';
import { policySigningBytes, readPolicyKeys, type PolicyTrust, type UnsignedPolicy } from '../../protocol/policy.js';
import { signDetached } from '../../protocol/signature.js';
import { armoredPublicKey, fingerprint, privateKey, type TestPerson } from './keys.js';

export interface TestPolicyOptions {
  version: number;
  /** Active investigators listed in the bundle (default alice, bob). */
  investigators?: readonly TestPerson[];
  /** Admins among them (default alice). */
  admins?: readonly TestPerson[];
  threshold?: number;
  /** Who signs it (default: the admins, up to the threshold). */
  signers?: readonly TestPerson[];
  acl?: Acl;
  allowedModules?: string[];
  issuedAt?: Date;
}

/** An unsigned bundle built the way `mig policy publish` builds one. */
export async function unsignedPolicy(opts: TestPolicyOptions): Promise<UnsignedPolicy> {
  const investigators = opts.investigators ?? ['alice', 'bob'];
  const admins = new Set(opts.admins ?? ['alice']);
  const members = [];
  for (const person of investigators) {
    members.push({
      name: person,
      fingerprint: await fingerprint(person),
      publicKey: armoredPublicKey(person),
      isAdmin: admins.has(person),
    });
  }
  return buildNextPolicy({
    currentVersion: opts.version - 1,
    issuedAt: opts.issuedAt ?? new Date(),
    members,
    threshold: opts.threshold ?? 1,
    ...(opts.acl === undefined ? {} : { acl: opts.acl }),
    ...(opts.allowedModules === undefined ? {} : { allowedModules: opts.allowedModules }),
  });
}

/** Signature of `person` over the bundle's signing bytes. */
export async function policySignature(bundle: Readonly<Record<string, unknown>>, person: TestPerson): Promise<string> {
  return signDetached(policySigningBytes(bundle), await privateKey(person));
}

/** The bundle's exact text, signed by `signers` (default: the admins, up to the threshold). */
export async function signedPolicyText(opts: TestPolicyOptions): Promise<string> {
  const bundle = await unsignedPolicy(opts);
  const signers = opts.signers ?? (opts.admins ?? ['alice']).slice(0, opts.threshold ?? 1);
  const signatures: string[] = [];
  for (const person of signers) signatures.push(await policySignature(bundle, person));
  return JSON.stringify({ ...bundle, signatures });
}

/** Trust as a config baked with these admins would give (version 0 unless told). */
export async function bakedPolicyTrust(
  admins: readonly TestPerson[],
  threshold = 1,
  version = 0,
): Promise<PolicyTrust> {
  const investigators = [];
  for (const person of admins)
    investigators.push({ name: person, fingerprint: await fingerprint(person), publicKey: armoredPublicKey(person) });
  return {
    version,
    admins: { fingerprints: investigators.map((i) => i.fingerprint), threshold },
    adminKeys: await readPolicyKeys({ investigators }),
  };
}
