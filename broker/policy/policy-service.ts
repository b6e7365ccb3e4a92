import type * as openpgp from 'openpgp';
import type { InvestigatorRecord } from '../../protocol/api.js';
import { PolicyBundleError, UserError } from '../../protocol/errors.js';
import {
  checkPolicyBundle,
  parsePolicyText,
  selfTrustOf,
  verifyPolicyBundle,
  type PolicyCheck,
  type PolicyTrust,
} from '../../protocol/policy.js';
import type { PolicyOutcome, PolicyView, StoredPolicyView } from '../../protocol/policy-api.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Investigators } from '../auth/investigators.js';
import { readIfExists } from '../read-if-exists.js';
import { serverPolicyPaths, writeOrRemove } from './policy-files.js';

export interface PolicyServiceOptions {
  dataDir: string;
  investigators: Investigators;
  audit: AuditLog;
  /** Admin signatures asked of new bundles and baked into agent.json (capped by the number of admins). */
  threshold: number;
  log: (msg: string) => void;
  /** A store other servers share (fleet-sync.ts): published bundles are recorded there for them. */
  shared?: { publish(version: number, text: string): Promise<void> };
}

/** The admins an agent is baked with (agent.json): keys and threshold. */
export interface BakedAdmins {
  keys: { name: string; publicKey: string }[];
  threshold: number;
}

/** Hears of a published bundle; a returned promise holds the publish until it settles. */
export type PublishListener = (text: string, version: number) => void | Promise<void>;

/**
 * The server's part in policy bundles: it cannot sign, it only checks and relays. A bundle is
 * checked exactly as an agent will check it (protocol/policy.ts) against the same trust state
 * agents converge on: the latest published bundle's admins, or before any, the active admins
 * baked into agent.json. Below the threshold a bundle waits as pending for co-signatures; at
 * the threshold it is published: stored and handed to listeners (agent.json's writer).
 */
export class PolicyService {
  private current: PolicyCheck | undefined;
  private pending: PolicyCheck | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<PublishListener>();

  private constructor(private readonly opts: PolicyServiceOptions) {}

  static async open(opts: PolicyServiceOptions): Promise<PolicyService> {
    const service = new PolicyService(opts);
    const paths = serverPolicyPaths(opts.dataDir);
    const current = await readIfExists(paths.current);
    if (current !== undefined) {
      try {
        service.current = await verifyPolicyBundle(current, await selfTrustOf(parsePolicyText(current).bundle));
      } catch (err) {
        // Starting without it would let an older version through that agents then refuse as a rollback.
        throw new UserError(
          'CONFIG_INVALID',
          `${paths.current}: ${(err as Error).message}`,
          "restore it from a backup or from an agent's policy.json (agents keep the bundle they applied)",
          { cause: err },
        );
      }
    }
    const pending = await readIfExists(paths.pending);
    if (pending !== undefined) {
      try {
        service.pending = await checkPolicyBundle(pending, await service.trust());
      } catch (err) {
        opts.log(`policy: dropping the pending bundle: ${(err as Error).message}`);
        await writeOrRemove(paths.pending, undefined);
      }
    }
    return service;
  }

  /**
   * `listener` may return a promise: the publish waits for it (settled, not its outcome), so the
   * request that published answers after agent.json bakes the new admins.
   */
  onPublish(listener: PublishListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The latest published bundle, for pushing to agents. */
  latest(): { text: string; version: number } | undefined {
    return this.current === undefined ? undefined : { text: this.current.text, version: this.current.bundle.version };
  }

  /** What the next bundle must satisfy: the current bundle's admins, or the baked ones. */
  async trust(): Promise<PolicyTrust> {
    if (this.current !== undefined) return this.current.next;
    const admins = this.activeAdmins();
    const adminKeys = new Map<string, openpgp.PublicKey>();
    for (const a of admins) {
      const key = this.opts.investigators.publicKey(a.fingerprint);
      if (key !== undefined) adminKeys.set(a.fingerprint, key);
    }
    return {
      version: 0,
      admins: { fingerprints: admins.map((a) => a.fingerprint), threshold: this.bakedThreshold(admins.length) },
      adminKeys,
    };
  }

  /** For agent.json: the admins agents start out trusting (the same state the server checks against). */
  bakedAdmins(): BakedAdmins {
    if (this.current !== undefined) {
      const { bundle } = this.current;
      const keys = bundle.investigators
        .filter((i) => bundle.admins.fingerprints.includes(i.fingerprint))
        .map((i) => ({ name: i.name, publicKey: i.publicKey }));
      return { keys, threshold: bundle.admins.threshold };
    }
    const admins = this.activeAdmins();
    return {
      keys: admins.map((a) => ({ name: a.name, publicKey: a.publicKey })),
      threshold: this.bakedThreshold(admins.length),
    };
  }

  async view(): Promise<PolicyView> {
    const trust = await this.trust();
    return {
      ...(this.current === undefined ? {} : { current: stored(this.current) }),
      ...(this.pending === undefined
        ? {}
        : { pending: { ...stored(this.pending), shortfall: this.pending.shortfall ?? '' } }),
      trust: { version: trust.version, admins: trust.admins },
      threshold: this.opts.threshold,
    };
  }

  /** POST /policy: a signed bundle from an admin. One at a time. */
  submit(text: string, by: InvestigatorRecord): Promise<PolicyOutcome> {
    return this.serially(() => this.accept(text, by));
  }

  /** POST /policy/signatures: one more admin signature on the pending bundle of `version`. */
  addSignature(version: number, signature: string, by: InvestigatorRecord): Promise<PolicyOutcome> {
    return this.serially(async () => {
      const pending = this.pending;
      if (pending === undefined)
        throw new UserError(
          'NOT_FOUND',
          'no policy bundle is waiting for signatures',
          '`mig policy show` shows the current one',
        );
      if (pending.bundle.version !== version) {
        throw new UserError(
          'CONFLICT',
          `the pending bundle is version ${pending.bundle.version}, not ${version}`,
          'review it again with `mig policy show`',
        );
      }
      const text = JSON.stringify({ ...pending.raw, signatures: [...pending.bundle.signatures, signature] });
      return this.accept(text, by, pending.signers.length);
    });
  }

  /** `signersBefore`: for a co-signature, how many admins had signed; it must add one. */
  private async accept(text: string, by: InvestigatorRecord, signersBefore?: number): Promise<PolicyOutcome> {
    let check: PolicyCheck;
    try {
      check = await checkPolicyBundle(text, await this.trust());
      // Agents ignore such signatures; refusing them here tells the admin at once.
      if (check.ignored.length > 0)
        throw new PolicyBundleError(
          'POLICY_UNDER_SIGNED',
          `policy version ${check.bundle.version}: a signature does not count: ${check.ignored.join('; ')}`,
        );
      if (signersBefore !== undefined && check.signers.length <= signersBefore) {
        throw new UserError(
          'CONFLICT',
          `policy version ${check.bundle.version} already carries this admin's signature`,
          'another admin must sign it',
        );
      }
    } catch (err) {
      await this.opts.audit.append(by.fingerprint, 'policy.refused', {
        code: (err as { code?: string }).code,
        message: (err as Error).message,
      });
      throw err;
    }
    const { version } = check.bundle;
    const paths = serverPolicyPaths(this.opts.dataDir);
    if (check.shortfall !== undefined) {
      await writeOrRemove(paths.pending, text);
      this.pending = check;
      await this.opts.audit.append(by.fingerprint, 'policy.pending', {
        version,
        signers: check.signers,
        shortfall: check.shortfall,
      });
      return { status: 'pending', version, signers: check.signers, shortfall: check.shortfall };
    }
    // Shared first: if the database refuses, nothing is published anywhere.
    await this.opts.shared?.publish(version, text);
    await this.publish(check);
    await this.opts.audit.append(by.fingerprint, 'policy.published', {
      version,
      signers: check.signers,
      investigators: check.bundle.investigators.map((i) => i.fingerprint),
    });
    this.opts.log(`policy: published version ${version}`);
    await this.notify(text, version);
    return { status: 'published', version, signers: check.signers };
  }

  /** Every listener, waited for; a listener's failure is its own to report (agent.json's writer logs it). */
  private async notify(text: string, version: number): Promise<void> {
    await Promise.allSettled([...this.listeners].map(async (listener) => listener(text, version)));
  }

  private async publish(check: PolicyCheck): Promise<void> {
    const paths = serverPolicyPaths(this.opts.dataDir);
    await writeOrRemove(paths.current, check.text);
    this.current = check;
    if (this.pending !== undefined && this.pending.bundle.version <= check.bundle.version) {
      await writeOrRemove(paths.pending, undefined);
      this.pending = undefined;
    }
  }

  /**
   * Bundles another server published (fleet-sync.ts), oldest first: each checked as agents
   * check it, against the trust the one before leaves, then published here too (agents pushed,
   * agent.json rewritten). That server audited it. One that does not hold is logged and skipped.
   */
  adoptPublished(texts: readonly string[]): Promise<void> {
    return this.serially(async () => {
      for (const text of texts) {
        try {
          const check = await checkPolicyBundle(text, await this.trust());
          if (check.shortfall !== undefined) throw new Error(check.shortfall);
          await this.publish(check);
          this.opts.log(`policy: version ${check.bundle.version}, published by another server, published here too`);
          await this.notify(check.text, check.bundle.version);
        } catch (err) {
          this.opts.log(`policy: a bundle another server published does not hold here: ${(err as Error).message}`);
        }
      }
    });
  }

  private activeAdmins(): InvestigatorRecord[] {
    return this.opts.investigators.list().filter((i) => i.isAdmin && i.status === 'active');
  }

  private bakedThreshold(admins: number): number {
    return Math.max(1, Math.min(this.opts.threshold, admins));
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function stored(check: PolicyCheck): StoredPolicyView {
  return { version: check.bundle.version, issuedAt: check.bundle.issuedAt, signers: check.signers, bundle: check.text };
}
