// The floor under the fan-out row's "server CPU per agent-command": bare aedes doing the same
// packet work at the same trickle, with none of our code. Run it beside the 1,000-agent row, in
// the same sitting (doc/performance.md, issue 12 session 6):
//   node --import tsx bench/aedes-trickle.ts   (env: AGENTS=1000 SPIN_MS=0.5 ROUNDS=7)
// Server (this process): aedes on a free port with our broker's concurrency 0 and its default
// in-memory persistence; each round publishes one 700-byte QoS 1 command per agent (as large as
// the bench's signed action) and takes the results through broker.subscribe, acknowledging each
// at once. Agents: two child processes of AGENTS/2 mqtt.js clients each (clean: false, QoS 1, as
// the simulated agents); on a command a client spends SPIN_MS of CPU, standing for the signature
// check that makes results trickle in (~0.5 ms in the 1,000 row), then publishes a 300-byte result.
// Prints the server's CPU per command (process.cpuUsage) per round and the median after a warm-up.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { forkClients, runRole, startBareAedes } from './bare-aedes.js';

const AGENTS = Number(process.env.AGENTS ?? 1000);
const SPIN_MS = Number(process.env.SPIN_MS ?? 0.5);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const WARMUP = 2;
const COMMAND_BYTES = 700;
const RESULT_BYTES = 300;

async function runAgents(port: number, from: number, count: number): Promise<void> {
  const { default: mqtt } = await import('mqtt');
  const result = Buffer.alloc(RESULT_BYTES, 'r');
  let subscribed = 0;
  for (let i = from; i < from + count; i++) {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      clientId: `agent-${i}`,
      clean: false,
      reconnectPeriod: 0,
    });
    client.on('connect', () =>
      client.subscribe(`c/${i}`, { qos: 1 }, () => {
        if (++subscribed === count) process.send?.('ready');
      }),
    );
    client.on('message', () => {
      const until = performance.now() + SPIN_MS;
      while (performance.now() < until); // the verification's CPU, nothing else
      client.publish(`r/${i}`, result, { qos: 1 });
    });
  }
}

async function runServer(): Promise<void> {
  const { broker, port, close } = await startBareAedes();
  let received = 0;
  let onLast = (): void => undefined;
  await new Promise<void>((resolve) =>
    broker.subscribe(
      'r/+',
      (_packet, done) => {
        done();
        if (++received === AGENTS) onLast();
      },
      resolve,
    ),
  );
  const { children, ready } = forkClients(fileURLToPath(import.meta.url), port, AGENTS);
  try {
    await ready;
    const command = Buffer.alloc(COMMAND_BYTES, 'c');
    const perCommandMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      received = 0;
      const last = new Promise<void>((resolve) => (onLast = resolve));
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < AGENTS; i++)
        broker.publish(
          { cmd: 'publish', topic: `c/${i}`, payload: command, qos: 1, retain: false, dup: false },
          () => undefined,
        );
      await last;
      const cpu = process.cpuUsage(cpuStart);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      if (round >= WARMUP) perCommandMs.push(cpuMs / AGENTS);
      console.log(
        `round ${round}${round < WARMUP ? ' (warm-up)' : ''}: last result after ${(performance.now() - start).toFixed(0)} ms, server CPU ${cpuMs.toFixed(0)} ms = ${(cpuMs / AGENTS).toFixed(3)} ms per command; load ${loadavg()[0]?.toFixed(1)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const sorted = perCommandMs.sort((a, b) => a - b);
    console.log(
      `bare aedes, ${AGENTS} agents answering after ${SPIN_MS} ms of CPU: server CPU per command median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(3)} ms, least ${sorted[0]?.toFixed(3)} ms`,
    );
  } finally {
    for (const child of children) child.kill();
    await close();
  }
}

await runRole(runAgents, runServer);
