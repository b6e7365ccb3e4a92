/**
 * What a result costs in each store, by group size (group commit, wire/group-commit.ts), and
 * what a launch of 1,000 commands costs: `npx tsx scripts/bench-store.ts`. Starts its own
 * throwaway PostgreSQL (test/helpers/postgres.ts; fsync off there, so the figures leave out the
 * disk flush a production database pays per commit).
 */
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionRecord, CommandRecord } from '../protocol/api.js';
import { newActionId } from '../protocol/canonical.js';
import { signedAction } from '../test/helpers/actions.js';
import { startTestPostgres } from '../test/helpers/postgres.js';
import { emptyCounters } from '../broker/scheduler/counters.js';
import { LowdbStore } from '../broker/store/lowdb-store.js';
import { PostgresStore } from '../broker/store/postgres-store.js';
import type { Store } from '../broker/store/store.js';

const N = 1000;
const template = await signedAction(['alice']);
function cmd(actionId: string, i: number, patch: Partial<CommandRecord> = {}): CommandRecord {
  const id = createHash('sha256').update(`${actionId}/${i}`).digest('hex').slice(0, 32);
  return {
    id,
    actionId,
    agentId: `agent-${i}`,
    agentName: `agent-${i}`,
    status: 'sent',
    createdAt: new Date().toISOString(),
    sentAt: new Date().toISOString(),
    ...patch,
  };
}
async function run(name: string, store: Store) {
  for (const group of [1000, 100, 10, 1]) {
    const record: ActionRecord = {
      action: { ...template, id: newActionId() },
      status: 'inflight',
      investigators: [],
      counters: emptyCounters(),
      createdAt: new Date().toISOString(),
    };
    await store.createAction(record);
    let t = performance.now();
    await store.saveCommands(Array.from({ length: N }, (_, i) => cmd(record.action.id, i)));
    const launch = performance.now() - t;
    t = performance.now();
    // Groups committed one after another, as GroupCommit does.
    for (let g = 0; g < N / group; g++) {
      await store.saveCommands(
        Array.from({ length: group }, (_, k) =>
          cmd(record.action.id, g * group + k, {
            status: 'success',
            isFound: false,
            finishedAt: new Date().toISOString(),
            operations: [{ module: 'file', isFound: false, rows: [], stats: {}, errors: [] }],
          }),
        ),
      );
      void store.saveAction(record, 'batched');
    }
    await store.flush();
    const results = performance.now() - t;
    console.log(
      `${name}: launch ${N} commands ${launch.toFixed(0)} ms; ${N} results in groups of ${group}: ${results.toFixed(0)} ms (${((results * 1000) / N).toFixed(0)} µs/result)`,
    );
  }
}
const pgc = await startTestPostgres();
try {
  const url = await pgc.createDatabase('bench');
  const pgStore = await PostgresStore.open({ url });
  await run('postgres', pgStore);
  await pgStore.close();
} finally {
  await pgc.stop();
}
const low = await LowdbStore.open({ dataDir: await mkdtemp(join(tmpdir(), 'mig-bench-low-')) });
await run('lowdb', low);
await low.close();
