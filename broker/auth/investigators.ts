import * as openpgp from 'openpgp';
import type { z } from 'zod';
import type { InvestigatorRecord, NewInvestigatorBodySchema } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { Keyring } from '../../protocol/signature.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Store } from '../store/store.js';

export type NewInvestigator = z.output<typeof NewInvestigatorBodySchema>;

/** Hears that the investigators changed; a returned promise holds the change until it settles. */
export type ChangeListener = () => void | Promise<void>;

/**
 * Who may talk to the server and whose signatures it accepts on actions. Public keys are parsed
 * once (readKey costs ~0.7 ms) and the keyrings rebuilt on every change; listeners hear about
 * changes so agent.json can follow.
 *
 * A change resolves only once every listener has finished: `POST /investigators` answers after
 * agent.json lists the new investigator, so an agent configured from it right away knows them
 * (it had been answered first, and an agent started at once could refuse their signature).
 */
export class Investigators {
  private readonly records = new Map<string, InvestigatorRecord>();
  private readonly keys = new Map<string, openpgp.PublicKey>();
  private active = new Keyring();
  private disabled = new Keyring();
  private readonly listeners = new Set<ChangeListener>();

  private constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  static async open(store: Store, audit: AuditLog, now: () => Date): Promise<Investigators> {
    const inv = new Investigators(store, audit, now);
    for (const record of await store.listInvestigators()) {
      inv.records.set(record.fingerprint, record);
      inv.keys.set(record.fingerprint, (await readPublicKey(record.publicKey)).key);
    }
    inv.rebuild();
    return inv;
  }

  list(): InvestigatorRecord[] {
    return [...this.records.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(fingerprint: string): InvestigatorRecord | undefined {
    return this.records.get(fingerprint.toLowerCase());
  }

  publicKey(fingerprint: string): openpgp.PublicKey | undefined {
    return this.keys.get(fingerprint.toLowerCase());
  }

  /** Keys of active investigators: the only ones whose signatures launch actions. */
  activeKeyring(): Keyring {
    return this.active;
  }

  /** Keys of disabled investigators, to tell "disabled" from "unknown" in a refusal. */
  disabledKeyring(): Keyring {
    return this.disabled;
  }

  /** `listener` may return a promise: the change that called it waits for it (settled, not its outcome). */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * Reads the store again: with a store several servers share (fleet-sync.ts), another server
   * may have added, disabled or enabled someone. Listeners hear about it when anything changed.
   */
  async reload(): Promise<void> {
    let isChanged = false;
    for (const record of await this.store.listInvestigators()) {
      const current = this.records.get(record.fingerprint);
      if (current !== undefined && JSON.stringify(current) === JSON.stringify(record)) continue;
      if (!this.keys.has(record.fingerprint))
        this.keys.set(record.fingerprint, (await readPublicKey(record.publicKey)).key);
      this.records.set(record.fingerprint, record);
      isChanged = true;
    }
    if (!isChanged) return;
    this.rebuild();
    await this.notify();
  }

  async add(body: NewInvestigator, by: string): Promise<InvestigatorRecord> {
    const record = await this.insert(body);
    await this.audit.append(by, 'investigator.created', {
      fingerprint: record.fingerprint,
      name: record.name,
      isAdmin: record.isAdmin,
    });
    return record;
  }

  /** Enrols the first investigator as admin when there is none yet; otherwise does nothing. */
  async bootstrap(admin: { name: string; publicKey: string }): Promise<InvestigatorRecord | undefined> {
    if (this.records.size > 0) return undefined;
    const record = await this.insert({ ...admin, isAdmin: true });
    await this.audit.append('server', 'investigator.bootstrapped', {
      fingerprint: record.fingerprint,
      name: record.name,
    });
    return record;
  }

  async setStatus(fingerprint: string, status: InvestigatorRecord['status'], by: string): Promise<InvestigatorRecord> {
    const current = this.get(fingerprint);
    if (current === undefined)
      throw new UserError('NOT_FOUND', `no investigator ${fingerprint}`, 'GET /investigators lists them');
    if (status === 'disabled' && current.isAdmin && current.status === 'active' && this.activeAdmins() === 1) {
      throw new UserError(
        'CONFLICT',
        `${current.name} is the last active admin`,
        'enrol or enable another admin first',
      );
    }
    const record: InvestigatorRecord = { ...current, status };
    await this.save(record);
    await this.audit.append(by, status === 'active' ? 'investigator.enabled' : 'investigator.disabled', {
      fingerprint: record.fingerprint,
    });
    return record;
  }

  private activeAdmins(): number {
    return [...this.records.values()].filter((r) => r.isAdmin && r.status === 'active').length;
  }

  private async insert(body: NewInvestigator): Promise<InvestigatorRecord> {
    const { key, armored } = await readPublicKey(body.publicKey);
    const fingerprint = key.getFingerprint().toLowerCase();
    if (this.records.has(fingerprint)) {
      throw new UserError(
        'CONFLICT',
        `investigator ${fingerprint} already exists`,
        'enable it instead: POST /investigators/:fp/enable',
      );
    }
    const record: InvestigatorRecord = {
      fingerprint,
      name: body.name,
      publicKey: armored,
      isAdmin: body.isAdmin,
      status: 'active',
      createdAt: this.now().toISOString(),
    };
    this.keys.set(fingerprint, key);
    await this.save(record);
    return record;
  }

  private async save(record: InvestigatorRecord): Promise<void> {
    await this.store.saveInvestigator(record);
    this.records.set(record.fingerprint, record);
    this.rebuild();
    await this.notify();
  }

  /**
   * Runs every listener and waits for all of them. A listener's failure is its own to report
   * (agent.json's writer logs it): the change itself is already stored, so it still succeeds.
   */
  private async notify(): Promise<void> {
    await Promise.allSettled([...this.listeners].map(async (listener) => listener()));
  }

  private rebuild(): void {
    this.active = new Keyring();
    this.disabled = new Keyring();
    for (const record of this.records.values()) {
      const key = this.keys.get(record.fingerprint);
      if (key !== undefined) (record.status === 'active' ? this.active : this.disabled).add(key);
    }
  }
}

/** Parses an armored public key; a private key is refused rather than stored. */
async function readPublicKey(armoredKey: string): Promise<{ key: openpgp.PublicKey; armored: string }> {
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey });
  } catch (err) {
    throw new UserError(
      'BAD_REQUEST',
      `publicKey: not an armored OpenPGP key (${(err as Error).message})`,
      'export it with `gpg --armor --export <id>`',
      { cause: err },
    );
  }
  if (key.isPrivate()) {
    throw new UserError(
      'BAD_REQUEST',
      'publicKey: this is a private key',
      'send only the public key: `gpg --armor --export <id>`',
    );
  }
  const pub = key;
  return { key: pub, armored: pub.armor() };
}
