// The server's own share of a result, without sockets: `scheduler.handleResults` on a real
// LowdbStore in a temp dir (parse, check, apply, one append per group, counters, events), plus
// the two pieces it is made of that can be timed alone, in CPU time per result.
//   node --import tsx bench/result-path.ts [results per round, default 1000] [group size, default 25] [rounds, default 14]
// The fan-out rows cannot see a change of a few µs in this path (the server spends 250-550 µs
// per command there, most of it aedes and sockets, and the figure moves ±30 % on a loaded
// machine); this can. Run base and branch alternately (doc/performance.md, issue 12 session 5).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultMessage } from '../agent/outbox.js';
import { systemClock } from '../broker/clock.js';
import { EventHub } from '../broker/events/event-hub.js';
import { Scheduler, type SchedulerOptions } from '../broker/scheduler/scheduler.js';
import { LowdbStore } from '../broker/store/lowdb-store.js';
import { emptyCounters, type ActionRecord, type CommandRecord } from '../protocol/api.js';
import { MAX_MESSAGE_BYTES, ResultMessageSchema } from '../protocol/messages.js';
import { parsePayload } from '../protocol/payload.js';
import { signedAction } from '../test/helpers/actions.js';

const RESULTS = Number(process.argv[2] ?? 1000);
const GROUP = Number(process.argv[3] ?? 25);
const ROUNDS = Number(process.argv[4] ?? 14);
/** Rounds left out of the medians: JIT warm-up. */
const WARMUP = 2;

/** CPU µs per result of `work`. */
async function cpuPerResult(work: () => unknown): Promise<number> {
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / RESULTS;
}

function median(values: readonly number[]): number {
  const sorted = values.slice(WARMUP).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mig-result-path-'));
  const store = await LowdbStore.open({ dataDir: dir });
  // handleResults touches only the store, the events and the clock; nothing is launched here.
  const options = { store, events: new EventHub(), clock: systemClock(), log: () => undefined };
  const scheduler = new Scheduler(options as unknown as SchedulerOptions);
  const samples: Record<string, number[]> = { 'parse only': [], 'command event JSON only': [], handleResults: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const action = await signedAction(['alice']);
      const now = new Date().toISOString();
      const record: ActionRecord = {
        action,
        status: 'inflight',
        investigators: ['bench'],
        counters: emptyCounters(),
        createdAt: now,
      };
      await store.createAction(record);
      const commands: CommandRecord[] = Array.from({ length: RESULTS }, (_, i) => ({
        id: randomBytes(16).toString('hex'),
        actionId: action.id,
        agentId: randomBytes(16).toString('hex'),
        agentName: `agent-${i}`,
        status: 'sent',
        createdAt: now,
        sentAt: now,
      }));
      await store.saveCommands(commands);
      await store.saveAction({ ...record, counters: { ...emptyCounters(), targeted: RESULTS, sent: RESULTS } });
      const operations = [{ module: 'file', isFound: true, rows: [], stats: {}, errors: [] }];
      const results = commands.map((c) => ({
        agentId: c.agentId,
        payload: Buffer.from(
          JSON.stringify(
            resultMessage({
              commandId: c.id,
              actionId: action.id,
              status: 'success',
              operations,
              startedAt: new Date(),
              finishedAt: new Date(),
            }),
          ),
        ),
      }));
      samples['parse only']?.push(
        await cpuPerResult(() => {
          for (const r of results)
            parsePayload(ResultMessageSchema, r.payload, MAX_MESSAGE_BYTES, 'result', 'MALFORMED_MESSAGE');
        }),
      );
      samples['command event JSON only']?.push(
        await cpuPerResult(() => {
          for (const command of commands) JSON.stringify({ type: 'command', command });
        }),
      );
      samples.handleResults?.push(
        await cpuPerResult(async () => {
          for (let i = 0; i < results.length; i += GROUP) await scheduler.handleResults(results.slice(i, i + GROUP));
        }),
      );
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const figures = Object.entries(samples).map(([name, values]) => `${name} ${median(values).toFixed(1)} µs`);
  console.log(
    `CPU per result, median of ${ROUNDS - WARMUP} rounds of ${RESULTS} in groups of ${GROUP}: ${figures.join(', ')}`,
  );
}

await main();
