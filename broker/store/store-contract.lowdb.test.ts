import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LowdbStore } from './lowdb-store.js';
import { describeStoreContract } from '../../test/helpers/broker/store-contract.js';

const dirs: string[] = [];

describeStoreContract('lowdb files', {
  isShared: false,
  async reset() {
    dirs.push(await mkdtemp(join(tmpdir(), 'mig-store-contract-')));
  },
  open: () => LowdbStore.open({ dataDir: dirs.at(-1) ?? '', flushMs: 10 }),
  async dispose() {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  },
});
