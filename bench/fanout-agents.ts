// Child process of the fan-out benchmark: `node --import tsx bench/fanout-agents.ts <spec.json>`
// runs `count` REAL agents (startAgent: real verify pipeline, runner and MQTT sessions), each
// with its own data dir. Driven by the parent over stdin, one word a line:
//   start  → start the agents; answers {"type":"ready"} once every one is connected
//   mark   → a round begins: forget timings, take the CPU baseline; answers {"type":"marked"}
//   report → {"type":"report", ...ProbeReport} for the round since `mark`
//   stop   → closes every agent, answers {"type":"stopped"} and exits
// It says {"type":"loaded"} once its code is loaded. stdin closing (the parent died) ends it too.
import { join } from 'node:path';
import { z } from 'zod';
import { parseAgentConfig } from '../agent/config.js';
import type { LogLevel } from '../agent/log.js';
import { startAgent, type RunningAgent } from '../agent/start.js';
import { answerProbeWord, readSpec as readSpecFile, readWords, runChild, send, sendFailed } from './child-io.js';
import { Probe } from './fanout-probe.js';

const SpecSchema = z.strictObject({
  count: z.number().int().min(1).max(20_000),
  /** Names and data dirs: `<prefix>-<i>`. */
  prefix: z.string().regex(/^[a-z0-9-]{1,32}$/),
  /** Parent directory of the agents' data dirs. */
  dir: z.string().min(1),
  /** agent.json as the server wrote it, with the bench's root and heartbeat: parsed per agent. */
  config: z.record(z.string(), z.unknown()),
});
type Spec = z.infer<typeof SpecSchema>;

/** Warnings and errors go to stderr (the parent shows them on failure); only the first few. */
const MAX_LOGGED = 20;
let logged = 0;

/** One agent's logger: marks its connection and its acceptances; passes trouble to stderr. */
function agentLog(name: string, probe: Probe, agentId: () => string, onConnected: () => void) {
  return (level: LogLevel, message: string): void => {
    if (message.startsWith('mqtt: connected')) onConnected();
    else if (message.includes(': running action ')) probe.accepted(agentId());
    if ((level === 'warn' || level === 'error') && logged++ < MAX_LOGGED)
      process.stderr.write(`${name} ${level}: ${message}\n`);
  };
}

async function startOne(
  spec: Spec,
  i: number,
  probe: Probe,
): Promise<{ agent: RunningAgent; connected: Promise<void> }> {
  const name = `${spec.prefix}-${i}`;
  // Hundreds of agents share this process: its RSS and CPU are not one agent's, so the
  // watchdog (agent/watchdog.ts) measures and reports but must not restart the shared workers.
  const config = parseAgentConfig(
    { ...spec.config, name, dataDir: join(spec.dir, name), watchdog: { enabled: false } },
    { baseDir: spec.dir },
  );
  let id = '';
  let markConnected = (): void => undefined;
  const connected = new Promise<void>((resolve) => (markConnected = resolve));
  const agent = await startAgent(config, {
    log: agentLog(
      name,
      probe,
      () => id,
      () => markConnected(),
    ),
    runners: probe.runnersFor(() => id),
  });
  id = agent.agentId;
  return { agent, connected };
}

async function startAll(spec: Spec, probe: Probe, agents: RunningAgent[]): Promise<number> {
  const start = performance.now();
  const connections: Promise<void>[] = [];
  // One after the other: each start is local work (keys, journals) and its connection goes on
  // in the background, so the broker sees the connections arrive as fast as we can open them.
  for (let i = 0; i < spec.count; i++) {
    const { agent, connected } = await startOne(spec, i, probe);
    agents.push(agent);
    connections.push(connected);
  }
  await Promise.all(connections);
  return performance.now() - start;
}

async function main(): Promise<void> {
  const spec = readSpecFile(process.argv[2], SpecSchema, 'fanout-agents.ts <spec.json>');
  const probe = new Probe();
  probe.install();
  const agents: RunningAgent[] = [];
  readWords(agents, (word, _arg, stop) => {
    if (word === 'start') {
      startAll(spec, probe, agents).then(
        (connectMs) => send({ type: 'ready', agents: agents.length, connectMs }),
        sendFailed,
      );
    } else answerProbeWord(word, probe, stop);
  });
  send({ type: 'loaded', pid: process.pid });
}

runChild(main);
