import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActionRecordSchema, CommandListSchema } from '../../protocol/api.js';
import { signedAction } from '../../test/helpers/actions.js';
import { postgresUnavailableReason, startTestPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { ServerHarness, waitFor } from '../../test/helpers/broker/harness.js';

const unavailable = postgresUnavailableReason();

if (unavailable === undefined) {
  let cluster: TestPostgres;
  let a: ServerHarness;
  let b: ServerHarness;
  beforeAll(async () => {
    cluster = await startTestPostgres();
  });
  afterAll(() => cluster.stop());
  afterEach(async () => {
    await Promise.all([a.teardown(), b.teardown()]);
  });

  describe('mig server --store postgres://', () => {
    it('runs a hunt through server A and shows it, results included, through server B', async () => {
      const storeUrl = await cluster.createDatabase('two_servers');
      a = new ServerHarness();
      b = new ServerHarness();
      await a.start({ storeUrl });
      await b.start({ storeUrl });
      const agent = await a.agent('agent-a');
      const signed = await signedAction(['alice']);
      expect((await a.submit(signed)).status).toBe(201);
      await waitFor(() => agent.commands.length === 1, 'the command');
      await agent.answer(agent.commands[0]?.commandId ?? '', { isFound: true });

      const fromB = async () => ActionRecordSchema.parse((await b.api('GET', `/actions/${signed.id}`)).body);
      await waitFor(async () => (await fromB()).status === 'completed', 'completion seen through server B');
      expect((await fromB()).counters).toMatchObject({ targeted: 1, success: 1, done: 1, found: 1 });
      const commands = CommandListSchema.parse((await b.api('GET', `/actions/${signed.id}/commands`)).body).commands;
      expect(commands.map((c) => `${c.agentId}:${c.status}:${String(c.isFound)}`)).toEqual([
        `${agent.id}:success:true`,
      ]);
      // Nothing about actions went to either data dir: it keeps secrets, audit log and agent.json.
      expect(existsSync(join(a.dataDir, 'actions')) || existsSync(join(b.dataDir, 'actions'))).toBe(false);
      await a.stop();
      await a.start({ storeUrl });
      expect(ActionRecordSchema.parse((await a.api('GET', `/actions/${signed.id}`)).body).status).toBe('completed');
    });
  });
} else {
  console.warn(
    `\n!!! mig server on PostgreSQL SKIPPED: ${unavailable}\n!!! Install it (apt-get install postgresql) to run it.\n`,
  );
  describe(`mig server --store postgres:// (SKIPPED: ${unavailable})`, () => {
    it.skip(`needs PostgreSQL: ${unavailable}`, () => undefined);
  });
}
