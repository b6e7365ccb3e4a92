import { BaseError } from '../../protocol/errors.js';
import { parsePolicyText, selfTrustOf, verifyPolicyBundle, type PolicyCheck } from '../../protocol/policy.js';
import type { AgentConfig } from '../config.js';
import type { TrustRoots } from '../keys.js';
import type { LogFn } from '../log.js';
import { bakedTrust, trustFromBundle, type AgentTrust } from './agent-trust.js';
import { policyPaths, readStoredPolicy, storePolicy } from './policy-files.js';

/** What became of one bundle offered to the agent. */
export type PolicyOffer = 'applied' | 'held' | 'refused';

/**
 * The agent's side of revocation and rotation: holds the current trust, applies a newer bundle
 * that verifies against it (protocol/policy.ts), keeps it on disk with the previous one, and
 * refuses anything else, logging why and keeping what it had. One offer at a time: two bundles
 * arriving together must not both be checked against the same old state.
 */
export class PolicyKeeper {
  private readonly listeners = new Set<(trust: AgentTrust) => void>();
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private current: AgentTrust,
    private heldText: string | undefined,
    private readonly config: AgentConfig,
    private readonly log: LogFn,
  ) {}

  /**
   * The newest valid bundle from the data dir, else the baked config. A stored bundle is
   * re-checked against its own admins (every bundle the agent applied meets that threshold):
   * this catches a damaged or hand-edited file; whoever can write the data dir can also edit
   * the config, so this is not a defence against the host's own administrator.
   */
  static async open(config: AgentConfig, roots: TrustRoots, log: LogFn): Promise<PolicyKeeper> {
    const baked = await bakedTrust(config, roots);
    const paths = policyPaths(config.dataDir);
    for (const path of [paths.current, paths.previous]) {
      const text = readStoredPolicy(path, (m) => log('warn', m));
      if (text === undefined) continue;
      try {
        const check = await verifyPolicyBundle(text, await selfTrustOf(parsePolicyText(text).bundle));
        log('info', `holding version ${check.bundle.version} from ${path}`);
        return new PolicyKeeper(trustFromBundle(check, config.allowedModules), text, config, log);
      } catch (err) {
        log('warn', `ignoring ${path}: ${(err as Error).message}`);
      }
    }
    return new PolicyKeeper(baked, undefined, config, log);
  }

  get trust(): AgentTrust {
    return this.current;
  }

  get version(): number {
    return this.current.policyVersion;
  }

  /** Called with the new trust each time a bundle is applied. */
  onApply(listener: (trust: AgentTrust) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** A bundle's text from the commands topic (attacker-controlled). Never throws. */
  offer(text: string): Promise<PolicyOffer> {
    const result = this.tail.then(() => this.consider(text));
    this.tail = result.catch(() => undefined);
    return result.catch((err: unknown) => {
      this.log('error', `${(err as Error).message}`);
      return 'refused' as const;
    });
  }

  private async consider(text: string): Promise<PolicyOffer> {
    let check: PolicyCheck;
    try {
      // The server pushes the latest bundle again until our heartbeat says we hold it: not news.
      if (parsePolicyText(text).bundle.version === this.version) return 'held';
      check = await verifyPolicyBundle(text, this.current.policy);
    } catch (err) {
      const code = err instanceof BaseError ? err.code : 'POLICY_INVALID';
      this.log('warn', `refused a bundle, keeping version ${this.version}: ${code}: ${(err as Error).message}`);
      return 'refused';
    }
    const previous = this.current;
    const next = trustFromBundle(check, this.config.allowedModules);
    try {
      storePolicy(this.config.dataDir, text, this.heldText);
    } catch (err) {
      // Applied anyway: refusing a revocation because the disk is full would be worse.
      this.log('error', `version ${check.bundle.version} applied but not stored: ${(err as Error).message}`);
    }
    this.current = next;
    this.heldText = text;
    this.log(
      'info',
      `applied version ${check.bundle.version} (${describeChange(previous, next)}), signed by ${check.signers.map((fp) => next.names.get(fp) ?? fp).join(', ')}`,
    );
    for (const listener of this.listeners) listener(next);
    return 'applied';
  }
}

function describeChange(previous: AgentTrust, next: AgentTrust): string {
  const before = new Set(previous.keyring.fingerprints());
  const after = new Set(next.keyring.fingerprints());
  const dropped = [...before].filter((fp) => !after.has(fp)).map((fp) => previous.names.get(fp) ?? fp);
  const added = [...after].filter((fp) => !before.has(fp)).map((fp) => next.names.get(fp) ?? fp);
  const parts = [
    `${after.size} investigator key(s)`,
    `${next.policy.admins.fingerprints.length} admin(s), threshold ${next.policy.admins.threshold}`,
  ];
  if (dropped.length > 0) parts.push(`no longer trusted: ${dropped.join(', ')}`);
  if (added.length > 0) parts.push(`newly trusted: ${added.join(', ')}`);
  return parts.join('; ');
}
