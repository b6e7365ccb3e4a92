// The floor under the fan-out bench's "server idle CPU" row: bare aedes taking the same packets
// at the same rate, with none of our code. Run it in the same sitting as the idle row
// (doc/performance.md, issue 12 session 9):
//   node --import tsx bench/aedes-idle.ts   (env: AGENTS=2000 BEAT_MS=60000 KEEPALIVE_S=0 WINDOW_MS=45000)
// Server (this process): aedes on a free port with our broker's concurrency 0 and its default
// in-memory persistence, subscribed to every agent's heartbeat topic, acknowledging each message
// at once. Agents: two child processes of AGENTS/2 mqtt.js clients (clean: false, each subscribed
// to its own commands topic at QoS 1, as agents are, so aedes' per-publish session match sees the
// same trie), each publishing a 700-byte QoS 1 heartbeat every BEAT_MS, spread evenly over the
// interval, on `mig/agents/<id>/heartbeat`, with MQTT keepalive KEEPALIVE_S (0: no pings).
// Prints the server's CPU (process.cpuUsage) over WINDOW_MS as % of one core and per heartbeat.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { forkClients, runRole, startBareAedes } from './bare-aedes.js';

const AGENTS = Number(process.env.AGENTS ?? 2000);
const BEAT_MS = Number(process.env.BEAT_MS ?? 60_000);
const KEEPALIVE_S = Number(process.env.KEEPALIVE_S ?? 0);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 45_000);
/** After all are subscribed, before the window: the first beats and the connect's garbage settle. */
const SETTLE_MS = Number(process.env.SETTLE_MS ?? Math.min(BEAT_MS, 15_000));
const HEARTBEAT_BYTES = 700; // about the size of a real agent's heartbeat message

const topic = (i: number, leaf: string): string => `mig/agents/agent-${String(i).padStart(8, '0')}/${leaf}`;

async function runAgents(port: number, from: number, count: number): Promise<void> {
  const { default: mqtt } = await import('mqtt');
  const beat = Buffer.alloc(HEARTBEAT_BYTES, 'h');
  let subscribed = 0;
  for (let i = from; i < from + count; i++) {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      clientId: `agent-${i}`,
      clean: false,
      keepalive: KEEPALIVE_S,
      // A storm of thousands may time a few connects out: those retry (`once`: one subscription each).
      reconnectPeriod: 1000,
    });
    client.once('connect', () =>
      client.subscribe(topic(i, 'commands'), { qos: 1 }, () => {
        if (++subscribed === count) process.send?.('ready');
        // Spread evenly: agent i beats at its own offset within the interval, then every BEAT_MS.
        setTimeout(
          () => {
            client.publish(topic(i, 'heartbeat'), beat, { qos: 1 });
            setInterval(() => client.publish(topic(i, 'heartbeat'), beat, { qos: 1 }), BEAT_MS);
          },
          (BEAT_MS * i) / AGENTS,
        );
      }),
    );
  }
}

async function runServer(): Promise<void> {
  const { broker, port, close } = await startBareAedes();
  let beats = 0;
  await new Promise<void>((resolve) =>
    broker.subscribe(
      'mig/agents/+/heartbeat',
      (_packet, done) => {
        beats++;
        done();
      },
      resolve,
    ),
  );
  const { children, ready } = forkClients(fileURLToPath(import.meta.url), port, AGENTS);
  try {
    await ready;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const load = loadavg()[0]?.toFixed(1);
    const beatsBefore = beats;
    const cpuStart = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const taken = beats - beatsBefore;
    console.log(
      `bare aedes, ${AGENTS} clients beating every ${BEAT_MS} ms (${((AGENTS * 1000) / BEAT_MS).toFixed(1)}/s), ` +
        `keepalive ${KEEPALIVE_S} s: server CPU ${((100 * cpuMs) / WINDOW_MS).toFixed(2)} % of one core over ${WINDOW_MS} ms ` +
        `(user ${(cpu.user / 10 / WINDOW_MS).toFixed(2)} %, system ${(cpu.system / 10 / WINDOW_MS).toFixed(2)} %), ` +
        `${taken} heartbeats taken, ${taken > 0 ? ((cpuMs * 1000) / taken).toFixed(0) : '—'} µs of CPU per heartbeat; ` +
        `load ${load} at the start, ${loadavg()[0]?.toFixed(1)} at the end`,
    );
  } finally {
    for (const child of children) child.kill();
    await close();
  }
}

await runRole(runAgents, runServer);
