import type { Acl } from '../../protocol/acl.js';
import type { InvestigatorRecord } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { buildNextPolicy } from '../../protocol/policy-build.js';
import type { PolicyOutcome, PolicyView } from '../../protocol/policy-api.js';
import { parsePolicyText, policySigningBytes, type ParsedPolicy, type UnsignedPolicy } from '../../protocol/policy.js';
import type { ApiClient } from './api-client.js';
import type { Signer } from './signer.js';

/**
 * Policy bundles from the admin's side: build the next one from the server's active
 * investigators, sign it locally, hand it to the server (which only checks and relays).
 * Whatever is signed is what the admin was shown: names and fingerprints come from the server,
 * so the admin's review of that list is what vouches for it.
 */

export interface NextPolicy {
  unsigned: UnsignedPolicy;
  /** The bundle agents hold now, if any (to show what changes). */
  current: ParsedPolicy | undefined;
}

export interface NextPolicyOptions {
  acl?: Acl;
  allowedModules?: readonly string[];
  now: Date;
}

/** The next bundle: active investigators, admins among them, the server's threshold, the carried-over ACL. */
export function nextPolicyFrom(
  view: PolicyView,
  investigators: readonly InvestigatorRecord[],
  opts: NextPolicyOptions,
): NextPolicy {
  const current = view.current === undefined ? undefined : parsePolicyText(view.current.bundle);
  const members = investigators
    .filter((i) => i.status === 'active')
    .map((i) => ({ name: i.name, fingerprint: i.fingerprint, publicKey: i.publicKey, isAdmin: i.isAdmin }));
  const allowedModules = opts.allowedModules ?? current?.bundle.allowedModules;
  const unsigned = buildNextPolicy({
    currentVersion: view.current?.version ?? 0,
    issuedAt: opts.now,
    members,
    threshold: Math.min(view.threshold, Math.max(1, members.filter((m) => m.isAdmin).length)),
    ...(current === undefined ? {} : { previousAcl: current.bundle.acl }),
    ...(opts.acl === undefined ? {} : { acl: opts.acl }),
    ...(allowedModules === undefined ? {} : { allowedModules }),
  });
  return { unsigned, current };
}

/** Signs the bundle as shown and posts it. */
export async function publishPolicy(
  client: ApiClient,
  signer: Signer,
  unsigned: UnsignedPolicy,
): Promise<PolicyOutcome> {
  const signature = await signer.sign(policySigningBytes(unsigned));
  return client.postPolicy(JSON.stringify({ ...unsigned, signatures: [signature] }));
}

/** Co-signs the pending bundle exactly as shown (its text from GET /policy). */
export async function coSignPendingPolicy(
  client: ApiClient,
  signer: Signer,
  pending: ParsedPolicy,
): Promise<PolicyOutcome> {
  const signature = await signer.sign(policySigningBytes(pending.raw));
  return client.signPolicy(pending.bundle.version, signature);
}

/** What the next bundle changes, in words: who is dropped, who is added. */
export function describePolicyChange(next: UnsignedPolicy, current: ParsedPolicy | undefined): string[] {
  const before = new Map((current?.bundle.investigators ?? []).map((i) => [i.fingerprint, i.name]));
  const after = new Map(next.investigators.map((i) => [i.fingerprint, i.name]));
  const lines: string[] = [];
  for (const [fp, name] of before) if (!after.has(fp)) lines.push(`agents stop trusting ${name} (${fp})`);
  for (const [fp, name] of after) if (!before.has(fp)) lines.push(`agents trust ${name} (${fp})`);
  return lines;
}

/** One line about a POST outcome. */
export function outcomeText(outcome: PolicyOutcome): string {
  if (outcome.status === 'published') {
    return `published policy version ${outcome.version}: pushed to ${outcome.pushedTo ?? 0} connected agent(s); the others get it at their next heartbeat`;
  }
  return `policy version ${outcome.version} is pending: ${outcome.shortfall ?? 'more admin signatures needed'}; ask another admin to run \`mig policy sign\``;
}

export function requirePending(view: PolicyView): ParsedPolicy {
  if (view.pending === undefined)
    throw new UserError(
      'NOT_FOUND',
      'no policy bundle is waiting for signatures',
      '`mig policy show` shows the current one',
    );
  return parsePolicyText(view.pending.bundle);
}
