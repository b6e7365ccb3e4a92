import * as openpgp from 'openpgp';
import type { Acl } from '../../protocol/acl.js';
import type { PolicyCheck, PolicyTrust } from '../../protocol/policy.js';
import { Keyring } from '../../protocol/signature.js';
import type { AgentConfig } from '../config.js';
import { readConfigPublicKey, readKeyFile, type TrustRoots } from '../keys.js';

/**
 * Everything this agent trusts right now: whose signatures count on actions (keyring, ACL,
 * allowed modules) and who may move that (the admins of PolicyTrust). It comes from the baked
 * config (policyVersion 0) or from the newest policy bundle applied.
 */
export interface AgentTrust {
  /** 0: the baked config only. */
  policyVersion: number;
  /** What the next bundle is verified against. */
  policy: PolicyTrust;
  keyring: Keyring;
  acl: Acl;
  /** Undefined: every registered module. */
  allowedModules: ReadonlySet<string> | undefined;
  /** Investigator name by fingerprint, for logs. */
  names: ReadonlyMap<string, string>;
}

/** The trust the config bakes in: its investigators and ACL, and its admin keys (none: no bundle is ever accepted). */
export async function bakedTrust(config: AgentConfig, roots: TrustRoots): Promise<AgentTrust> {
  const adminKeys = new Map<string, openpgp.PublicKey>();
  for (const [i, admin] of (config.admins?.keys ?? []).entries()) {
    const key = await readConfigPublicKey(
      `admins.keys.${i}`,
      admin.publicKey ?? readKeyFile(`admins.keys.${i}.publicKeyFile`, admin.publicKeyFile ?? ''),
    );
    adminKeys.set(key.getFingerprint().toLowerCase(), key);
  }
  const fingerprints = [...adminKeys.keys()];
  return {
    policyVersion: 0,
    // threshold 1 over no admin at all can never be met: a bundle is refused as under-signed.
    policy: { version: 0, admins: { fingerprints, threshold: config.admins?.threshold ?? 1 }, adminKeys },
    keyring: roots.keyring,
    acl: roots.acl,
    allowedModules: config.allowedModules === undefined ? undefined : new Set(config.allowedModules),
    names: roots.names,
  };
}

/**
 * The trust a verified bundle establishes. The module allowlist is the intersection of the
 * bundle's and the local config's: admins can narrow what runs on a host, never widen what the
 * host's operator allowed.
 */
export function trustFromBundle(check: PolicyCheck, localAllowed: readonly string[] | undefined): AgentTrust {
  const { bundle } = check;
  const keyring = new Keyring();
  for (const key of check.keys.values()) keyring.add(key);
  let allowed: Set<string> | undefined;
  if (bundle.allowedModules !== undefined || localAllowed !== undefined) {
    const fromBundle = bundle.allowedModules ?? localAllowed ?? [];
    allowed = new Set(fromBundle.filter((m) => localAllowed === undefined || localAllowed.includes(m)));
  }
  return {
    policyVersion: bundle.version,
    policy: check.next,
    keyring,
    acl: bundle.acl,
    allowedModules: allowed,
    names: new Map(bundle.investigators.map((i) => [i.fingerprint, i.name])),
  };
}
