import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/broker/harness.js';
import { armoredPublicKey } from '../../test/helpers/keys.js';
import { signedPolicyText } from '../../test/helpers/policy.js';
import type { InvestigatorRecord } from '../../protocol/api.js';
import { AuditLog } from '../audit/audit-log.js';
import { Investigators } from '../auth/investigators.js';
import { LowdbStore } from '../store/lowdb-store.js';
import { PolicyService } from './policy-service.js';

let dir: string;
let store: LowdbStore;
let investigators: Investigators;
let policy: PolicyService;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-policy-service-'));
  store = await LowdbStore.open({ dataDir: dir, flushMs: 10, log: () => undefined });
  const audit = await AuditLog.open(join(dir, 'audit.ndjson'));
  investigators = await Investigators.open(store, audit, () => new Date('2026-12-08T00:00:00Z'));
  await investigators.bootstrap({ name: 'alice', publicKey: armoredPublicKey('alice') });
  policy = await PolicyService.open({ dataDir: dir, investigators, audit, threshold: 1, log: () => undefined });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function alice(): InvestigatorRecord {
  const record = investigators.list()[0];
  if (record === undefined) throw new Error('alice was not bootstrapped');
  return record;
}

describe('PolicyService: a publish waits for its listeners', () => {
  it('answers only after a listener’s promise settles (agent.json bakes the new admins first)', async () => {
    let open = (): void => undefined;
    const writing = new Promise<void>((resolve) => (open = resolve));
    const heard: number[] = [];
    policy.onPublish((_text, version) => {
      heard.push(version);
      return writing;
    });
    let isAnswered = false;
    const outcome = policy.submit(await signedPolicyText({ version: 1 }), alice()).then((o) => {
      isAnswered = true;
      return o;
    });
    await waitFor(() => heard.length === 1, 'the listener');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heard).toEqual([1]);
    expect(isAnswered).toBe(false);
    open();
    await expect(outcome).resolves.toMatchObject({ status: 'published', version: 1 });
  });

  it('still publishes when a listener fails: the bundle is stored, the listener reports its own failure', async () => {
    policy.onPublish(() => Promise.reject(new Error('disk full')));
    await expect(policy.submit(await signedPolicyText({ version: 1 }), alice())).resolves.toMatchObject({
      status: 'published',
    });
    expect(policy.latest()?.version).toBe(1);
  });
});
