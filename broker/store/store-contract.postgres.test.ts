import { describe, it } from 'vitest';
import { postgresUnavailableReason, startTestPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { PostgresStore } from './postgres-store.js';
import { describeStoreContract } from '../../test/helpers/broker/store-contract.js';

const unavailable = postgresUnavailableReason();

if (unavailable === undefined) {
  let cluster: TestPostgres | undefined;
  let url = '';
  let databases = 0;
  describeStoreContract('PostgreSQL', {
    isShared: true,
    async reset() {
      cluster ??= await startTestPostgres();
      databases += 1;
      url = await cluster.createDatabase(`contract_${databases}`);
    },
    open: () => PostgresStore.open({ url, flushMs: 10 }),
    async dispose() {
      await cluster?.stop();
    },
  });
} else {
  // Loud on purpose: a skipped PostgreSQL suite must never look like a passing one.
  console.warn(
    `\n!!! Store contract on PostgreSQL SKIPPED: ${unavailable}\n!!! Install it (apt-get install postgresql) to run it.\n`,
  );
  describe(`Store contract: PostgreSQL (SKIPPED: ${unavailable})`, () => {
    it.skip(`needs PostgreSQL: ${unavailable}`, () => undefined);
  });
}
