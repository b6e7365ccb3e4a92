// Child process of the fan-out benchmark's simulated fleet:
// `node --import tsx bench/fanout-sim-agents.ts <spec.json>` holds `count` simulated agents
// (bench/fanout-sim-agent.ts). Same line protocol as fanout-agents.ts, plus:
//   enroll      → makes every agent's key and id, then enrolls each once (a few at a time, like
//                 hosts installed over some while); answers {"type":"enrolled", ...latencies}
//   start       → opens every enrolled agent's session at once (a connect storm of logins with
//                 the agents' own passwords); answers {"type":"ready", ...per-agent connect latencies}
//   beat <ms>   → every agent heartbeats every <ms>, phases spread evenly; answers {"type":"beating"}
import { z } from 'zod';
import { answerProbeWord, readSpec as readSpecFile, readWords, runChild, send, sendFailed } from './child-io.js';
import { Probe } from './fanout-probe.js';
import { newSimIdentity, SimAgent, type SimAgentEvents, type SimShared } from './fanout-sim-agent.js';
import { simSharedFromConfig } from './sim-shared.js';

const SpecSchema = z.strictObject({
  count: z.number().int().min(1).max(20_000),
  /** Agent names: `<prefix>-<i>` (ids derive from each agent's key). */
  prefix: z.string().regex(/^[a-z0-9-]{1,32}$/),
  /** agent.json as the server wrote it (broker URL, enrollment secret, investigators' keys). */
  config: z.record(z.string(), z.unknown()),
  verify: z.enum(['full', 'shared']),
  /** Every answer signed with the agent's key, as real agents do (SimShared.signAnswers). */
  signAnswers: z.boolean().default(false),
});
type Spec = z.infer<typeof SpecSchema>;

const MAX_LOGGED = 20;
let logged = 0;

function sharedOf(spec: Spec): Promise<SimShared> {
  return simSharedFromConfig(spec.config, spec.prefix, { verify: spec.verify, signAnswers: spec.signAnswers });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Enrollments in flight at once per child: an install wave, not a storm (that is `start`). */
const ENROLL_CONCURRENCY = Number(process.env.MIG_BENCH_FANOUT_ENROLL_CONCURRENCY ?? 100);
/** An enrollment login that got no answer (a loaded machine) is tried again this often at most. */
const ENROLL_ATTEMPTS = Number(process.env.MIG_BENCH_FANOUT_ENROLL_ATTEMPTS ?? 3);

/** Where the storm reports: set by `start`, read by the agents made at `enroll`. */
interface StormEvents extends SimAgentEvents {
  onStart(count: number, done: () => void): void;
}

function stormEvents(probe: Probe): StormEvents & { latencies: number[]; reconnects: number } {
  let expected = Number.POSITIVE_INFINITY;
  let resolveAll = (): void => undefined;
  const state = {
    latencies: [] as number[],
    reconnects: 0,
    onStart: (count: number, done: () => void) => {
      expected = count;
      resolveAll = done;
    },
    onConnected: (_id: string, ms: number) => {
      state.latencies.push(ms);
      if (state.latencies.length === expected) resolveAll();
    },
    onReconnect: () => void state.reconnects++,
    onReceived: (id: string) => probe.received(id),
    onAccepted: (id: string) => probe.accepted(id),
    onAnswered: (id: string, status: string) => probe.answered(id, status),
    onProblem: (id: string, message: string) => {
      if (logged++ < MAX_LOGGED) process.stderr.write(`${id}: ${message}\n`);
    },
  };
  return state;
}

/** Every agent made (key, id: local work, not timed), then each enrolled once, ENROLL_CONCURRENCY at a time. */
async function enrollAll(
  spec: Spec,
  shared: SimShared,
  events: SimAgentEvents,
  agents: SimAgent[],
): Promise<Record<string, unknown>> {
  if (agents.length > 0) throw new Error('enroll: the agents are already enrolled');
  const keyStart = performance.now();
  for (let i = 0; i < spec.count; i++)
    agents.push(new SimAgent(newSimIdentity(), `${spec.prefix}-${i}`, shared, events));
  const keysMs = performance.now() - keyStart;
  const latencies: number[] = [];
  let retries = 0;
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    for (let agent = agents[next++]; agent !== undefined; agent = agents[next++]) {
      const began = performance.now();
      for (let attempt = 1; ; attempt++) {
        try {
          await agent.enroll();
          break;
        } catch (err) {
          if (attempt >= ENROLL_ATTEMPTS || !/unreachable/.test((err as Error).message)) throw err;
          retries++;
        }
      }
      latencies.push(performance.now() - began);
    }
  };
  const inFlight = Math.min(ENROLL_CONCURRENCY, agents.length);
  await Promise.all(Array.from({ length: inFlight }, worker));
  const sorted = latencies.sort((a, b) => a - b);
  return {
    agents: agents.length,
    keysMs,
    enrollMs: performance.now() - start,
    enrollP50Ms: quantile(sorted, 0.5),
    enrollP99Ms: quantile(sorted, 0.99),
    enrollMaxMs: sorted.at(-1) ?? Number.NaN,
    inFlight,
    retries,
  };
}

/** Every enrolled agent's session opened in one go: the storm. */
async function storm(
  spec: Spec,
  events: ReturnType<typeof stormEvents>,
  agents: SimAgent[],
): Promise<Record<string, unknown>> {
  if (agents.length !== spec.count)
    throw new Error(`start: ${agents.length} of ${spec.count} agents enrolled (send 'enroll' first)`);
  const { latencies } = events;
  const all = new Promise<void>((resolve) => events.onStart(spec.count, resolve));
  const start = performance.now();
  for (const agent of agents) agent.connect();
  await all;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    agents: agents.length,
    connectMs: performance.now() - start,
    connectP50Ms: quantile(sorted, 0.5),
    connectP99Ms: quantile(sorted, 0.99),
    connectMaxMs: sorted.at(-1) ?? Number.NaN,
    reconnects: events.reconnects,
  };
}

async function main(): Promise<void> {
  const spec = readSpecFile(process.argv[2], SpecSchema, 'fanout-sim-agents.ts <spec.json>');
  const shared = await sharedOf(spec);
  // No probe.install(): each simulated agent reports its own edges (received, accepted,
  // answered), which spares every MQTT event of 500 clients a hook and every answer a re-read.
  const probe = new Probe();
  const agents: SimAgent[] = [];
  const events = stormEvents(probe);
  readWords(agents, (word, arg, stop) => {
    if (word === 'enroll') {
      enrollAll(spec, shared, events, agents).then((enrolled) => send({ type: 'enrolled', ...enrolled }), sendFailed);
    } else if (word === 'start') {
      storm(spec, events, agents).then((ready) => send({ type: 'ready', ...ready }), sendFailed);
    } else if (word === 'beat') {
      const everyMs = Number(arg);
      agents.forEach((a, i) => a.beatEvery(everyMs, (everyMs * i) / agents.length));
      send({ type: 'beating' });
    } else answerProbeWord(word, probe, stop);
  });
  send({ type: 'loaded', pid: process.pid });
}

runChild(main);
