import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/broker/harness.js';
import { armoredPublicKey, fingerprint } from '../../test/helpers/keys.js';
import { AuditLog } from '../audit/audit-log.js';
import { LowdbStore } from '../store/lowdb-store.js';
import { Investigators } from './investigators.js';

let dir: string;
let store: LowdbStore;
let investigators: Investigators;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-investigators-'));
  store = await LowdbStore.open({ dataDir: dir, flushMs: 10, log: () => undefined });
  const audit = await AuditLog.open(join(dir, 'audit.ndjson'));
  investigators = await Investigators.open(store, audit, () => new Date('2026-12-08T00:00:00Z'));
  await investigators.bootstrap({ name: 'alice', publicKey: armoredPublicKey('alice') });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** A promise the test resolves by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets every already-queued callback and a few file operations run. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('Investigators: a change waits for its listeners', () => {
  it('resolves add only after a listener’s promise settles (agent.json written before the answer)', async () => {
    const writing = gate();
    const heard: string[] = [];
    investigators.onChange(() => {
      heard.push(
        investigators
          .list()
          .map((r) => r.name)
          .join(','),
      );
      return writing.promise;
    });
    let isAdded = false;
    const added = investigators
      .add({ name: 'bob', publicKey: armoredPublicKey('bob'), isAdmin: false }, 'alice')
      .then(() => (isAdded = true));
    // The listener hears bob (however slow the store is here), but the caller stays held by its write.
    await waitFor(() => heard.length === 1, 'the listener');
    await settle();
    expect(heard).toEqual(['alice,bob']);
    expect(isAdded).toBe(false);
    writing.open();
    await added;
    expect(isAdded).toBe(true);
  });

  it('holds setStatus the same way', async () => {
    await investigators.add({ name: 'bob', publicKey: armoredPublicKey('bob'), isAdmin: false }, 'alice');
    const writing = gate();
    investigators.onChange(() => writing.promise);
    let isDisabled = false;
    const disabled = investigators
      .setStatus(await fingerprint('bob'), 'disabled', 'alice')
      .then(() => (isDisabled = true));
    await settle();
    expect(isDisabled).toBe(false);
    writing.open();
    await disabled;
    expect(investigators.get(await fingerprint('bob'))?.status).toBe('disabled');
  });

  it('still succeeds when a listener fails: the change is stored, the listener reports its own failure', async () => {
    investigators.onChange(() => Promise.reject(new Error('disk full')));
    investigators.onChange(() => {
      throw new Error('listener broke');
    });
    const added = investigators.add({ name: 'bob', publicKey: armoredPublicKey('bob'), isAdmin: false }, 'alice');
    await expect(added).resolves.toMatchObject({ name: 'bob', status: 'active' });
    expect((await store.listInvestigators()).map((r) => r.name).sort()).toEqual(['alice', 'bob']);
  });

  it('stops calling a listener once it is removed', async () => {
    let calls = 0;
    const off = investigators.onChange(() => {
      calls += 1;
    });
    await investigators.add({ name: 'bob', publicKey: armoredPublicKey('bob'), isAdmin: false }, 'alice');
    off();
    await investigators.setStatus(await fingerprint('bob'), 'disabled', 'alice');
    expect(calls).toBe(1);
  });
});
