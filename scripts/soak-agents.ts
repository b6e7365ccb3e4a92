// Child process of the soak (scripts/soak.ts): `node --import tsx scripts/soak-agents.ts <spec.json>`
// holds `count` simulated agents (bench/fanout-sim-agent.ts: real sessions, real acceptance
// steps, real answers), enrolls and connects them, then on `churn` keeps dropping and bringing
// back agents at random: half leave cleanly (offline 'shutdown', session kept), half lose their
// TCP connection (the broker publishes their will; mqtt.js reconnects). One JSON line per
// message on stdout (bench/child-io.ts): loaded, ready, churning, report, stopped, failed.
import type { MqttClient } from 'mqtt';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { readSpec, runChild, send, sendFailed } from '../bench/child-io.js';
import { newSimIdentity, SimAgent, type SimAgentEvents, type SimShared } from '../bench/fanout-sim-agent.js';
import { simSharedFromConfig } from '../bench/sim-shared.js';
import { seededRng } from '../demo/prng.js';

const SpecSchema = z.strictObject({
  count: z.number().int().min(1).max(20_000),
  prefix: z.string().regex(/^[a-z0-9-]{1,32}$/),
  config: z.record(z.string(), z.unknown()),
  /** Share of the fleet dropped per second, in percent. */
  churnPercentPerSecond: z.number().min(0).max(100),
  /** A cleanly dropped agent comes back after a random delay up to this. */
  maxDownMs: z.number().int().min(100).max(600_000),
  seed: z.number().int(),
});
type Spec = z.infer<typeof SpecSchema>;

/** The agents' heartbeat interval: the server's default expectation (agent config heartbeatMs). */
const HEARTBEAT_MS = 30_000;

function sharedOf(spec: Spec): Promise<SimShared> {
  return simSharedFromConfig(spec.config, spec.prefix);
}

/** The one internal this script reaches into: the agent's client, to cut its TCP connection as a network would. */
function clientOf(agent: SimAgent): MqttClient | undefined {
  return (agent as unknown as { client?: MqttClient }).client;
}

/** A loaded machine may miss an enrollment login's CONNACK: try again, as an installer would. */
async function enrollPatiently(agent: SimAgent): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await agent.enroll();
    } catch (err) {
      if (attempt >= 5 || !/unreachable/.test((err as Error).message)) throw err;
    }
  }
}

/**
 * An agent dropped cleanly while answering loses that answer (mqtt.js rejects the publish with
 * 'client disconnecting'), as a real agent stopped mid-command would; the server sends the
 * command again when it is back. Counted, not fatal; anything else is.
 */
let lostAnswers = 0;
process.on('unhandledRejection', (err: unknown) => {
  if (err instanceof Error && /client disconnecting|connection closed/i.test(err.message)) {
    lostAnswers++;
    return;
  }
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});

async function main(): Promise<void> {
  const spec = readSpec(process.argv[2], SpecSchema, 'soak-agents.ts <spec.json>');
  const shared = await sharedOf(spec);
  // mulberry32: reproducible choices of whom to drop.
  const random = seededRng(spec.seed);
  const counters = { connects: 0, reconnects: 0, accepted: 0, cleanDrops: 0, cutDrops: 0, problems: 0 };
  let onAllConnected = (): void => undefined;
  const events: SimAgentEvents = {
    onConnected: () => {
      counters.connects++;
      if (counters.connects === spec.count) onAllConnected();
    },
    onReconnect: () => void counters.reconnects++,
    onAccepted: () => void counters.accepted++,
    onProblem: (id, message) => {
      if (counters.problems++ < 20) process.stderr.write(`${id}: ${message}\n`);
    },
  };
  const agents = Array.from(
    { length: spec.count },
    (_, i) => new SimAgent(newSimIdentity(), `${spec.prefix}-${i}`, shared, events),
  );
  const down = new Set<SimAgent>();
  const comeBack = (agent: SimAgent): void => {
    agent.connect();
    agent.beatEvery(HEARTBEAT_MS, random() * HEARTBEAT_MS);
  };
  let churnTimer: NodeJS.Timeout | undefined;
  const churnTick = (): void => {
    const drops = Math.max(1, Math.round((agents.length * spec.churnPercentPerSecond) / 100));
    for (let i = 0; i < drops; i++) {
      const agent = agents[Math.floor(random() * agents.length)];
      if (agent === undefined || down.has(agent)) continue;
      if (random() < 0.5) {
        counters.cutDrops++;
        clientOf(agent)?.stream.destroy();
      } else {
        counters.cleanDrops++;
        down.add(agent);
        void agent.close().then(() =>
          setTimeout(() => {
            // 'calm' may have brought it back already.
            if (!down.delete(agent)) return;
            comeBack(agent);
          }, random() * spec.maxDownMs),
        );
      }
    }
  };
  const lines = createInterface({ input: process.stdin });
  const stop = async (): Promise<void> => {
    clearInterval(churnTimer);
    await Promise.allSettled(agents.map((a) => a.close()));
    send({ type: 'stopped' });
    process.exit(0);
  };
  lines.on('close', () => void stop());
  lines.on('line', (line) => {
    const word = line.trim();
    if (word === 'start') {
      const all = new Promise<void>((resolve) => (onAllConnected = resolve));
      (async () => {
        for (let i = 0; i < agents.length; i += 50)
          await Promise.all(agents.slice(i, i + 50).map((a) => enrollPatiently(a)));
        for (const agent of agents) agent.connect();
        await all;
        // Heartbeats like a real fleet's, phases spread (close() stops them; comeBack restarts them).
        agents.forEach((a, i) => a.beatEvery(HEARTBEAT_MS, (HEARTBEAT_MS * i) / agents.length));
      })().then(() => send({ type: 'ready', agents: agents.length }), sendFailed);
    } else if (word === 'churn') {
      churnTimer = setInterval(churnTick, 1000);
      send({ type: 'churning' });
    } else if (word === 'calm') {
      clearInterval(churnTimer);
      // Everyone dropped cleanly comes back now, so the end state is the whole fleet.
      for (const agent of down) comeBack(agent);
      down.clear();
      send({ type: 'calm' });
    } else if (word === 'report')
      send({
        type: 'report',
        ...counters,
        lostAnswers,
        down: down.size,
        rssMB: Math.round(process.memoryUsage.rss() / 1e6),
      });
    else if (word === 'stop') void stop();
  });
  send({ type: 'loaded', pid: process.pid });
}

runChild(main);
