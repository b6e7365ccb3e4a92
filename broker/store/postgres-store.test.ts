import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { postgresUnavailableReason, startTestPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { SCHEMA_VERSION } from './postgres-schema.js';
import { redact } from './postgres-rows.js';
import { PostgresStore } from './postgres-store.js';

const unavailable = postgresUnavailableReason();

if (unavailable === undefined) {
  let cluster: TestPostgres;
  beforeAll(async () => {
    cluster = await startTestPostgres();
  });
  afterAll(() => cluster.stop());

  describe('PostgresStore schema and connection', () => {
    it('migrates a new database once, and a second start finds it done', async () => {
      const url = await cluster.createDatabase('migrate_once');
      const logs: string[] = [];
      await (await PostgresStore.open({ url, log: (m) => logs.push(m) })).close();
      await (await PostgresStore.open({ url, log: (m) => logs.push(m) })).close();
      // One line per step, each applied once.
      expect(logs).toEqual(
        Array.from({ length: SCHEMA_VERSION }, (_, i) => `store: database schema migrated to version ${i + 1}`),
      );
    });

    it('refuses a database whose schema is newer than this server', async () => {
      const url = await cluster.createDatabase('newer_schema');
      await (await PostgresStore.open({ url })).close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('INSERT INTO mig_schema (version) VALUES ($1)', [SCHEMA_VERSION + 1]);
      await client.end();
      await expect(PostgresStore.open({ url })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/newer than this server/),
      });
    });

    it('names the database it cannot open, without its password', async () => {
      const url = cluster.adminUrl.replace('mig@', 'mig:s3cret@').replace('/postgres', '/no_such_db');
      const err: unknown = await PostgresStore.open({ url }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/no_such_db/) });
      expect(String((err as Error).message)).not.toContain('s3cret');
      expect(redact('postgres://u:pw@h:5/d')).toBe('postgres://u:***@h:5/d');
    });

    it('stores a result holding a NUL character and odd text as given', async () => {
      const url = await cluster.createDatabase('odd_text');
      const store = await PostgresStore.open({ url });
      try {
        await store.saveInvestigator({
          fingerprint: 'f'.repeat(40),
          name: 'nul\u0000 "quote" \\ {brace} ,comma',
          publicKey: 'k',
          isAdmin: false,
          status: 'active',
          createdAt: '2025-01-01T00:00:00.000Z',
        });
        expect((await store.listInvestigators())[0]?.name).toBe('nul\u0000 "quote" \\ {brace} ,comma');
      } finally {
        await store.close();
      }
    });
  });
} else {
  console.warn(
    `\n!!! PostgresStore tests SKIPPED: ${unavailable}\n!!! Install it (apt-get install postgresql) to run them.\n`,
  );
  describe(`PostgresStore (SKIPPED: ${unavailable})`, () => {
    it.skip(`needs PostgreSQL: ${unavailable}`, () => undefined);
  });
}
