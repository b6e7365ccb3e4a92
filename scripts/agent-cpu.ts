// Agent CPU per command (issue 13 goal ≤ 1.2 ms, verification included): one real agent in its
// own process, N signed commands (probe module, 3 rows) sent WINDOW at a time by a test broker
// in this process; the agent's CPU is read from /proc/<pid>/stat after a warm-up.
//   npx tsx scripts/agent-cpu.ts            (MIG_AGENT_CPU_COMMANDS=1000, MIG_AGENT_CPU_WINDOW=20, MIG_AGENT_CPU_WARMUP=100)
//   MIG_AGENT_CPU_PROF=/tmp/prof npx tsx scripts/agent-cpu.ts   (also writes a .cpuprofile there)
//   MIG_AGENT_CPU_SLOW_VERIFY=1 npx tsx scripts/agent-cpu.ts   (signatures through openpgp only: A/B)
//   MIG_AGENT_CPU_NODE_FLAGS='--single-threaded-gc' npx tsx scripts/agent-cpu.ts   (flags for the agent alone)
//   MIG_AGENT_CPU_V8_DEFAULT=1 npx tsx scripts/agent-cpu.ts   (without agent/v8-tuning.ts, as before session 6: A/B)
//   MIG_AGENT_CPU_TSX=1 npx tsx scripts/agent-cpu.ts   (the agent from the sources through tsx, as before session 9: A/B;
//   by default it runs from compiled dist/, as `mig agent` does, built first when stale)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { armoredPublicKey } from '../test/helpers/keys.js';
import { signedAction } from '../test/helpers/actions.js';
import { ENROLLMENT_SECRET, startTestBroker, type ResultMsg } from '../test/helpers/agent/broker.js';
import { tempDir } from '../test/helpers/agent/probe.js';
import { compiledChild } from './agent-cpu-compiled.js';

const N = Number(process.env.MIG_AGENT_CPU_COMMANDS ?? 1000);
const WINDOW = Number(process.env.MIG_AGENT_CPU_WINDOW ?? 20);
// Commands before the measured ones; V8 still compiles hot code (TurboFan, on its own threads)
// well past 100: MIG_AGENT_CPU_WARMUP=1000 shows the warm figure beside the default one.
const WARMUP = Number(process.env.MIG_AGENT_CPU_WARMUP ?? 100);
const TICK_MS = 10; // CLK_TCK 100 on Linux

const dir = tempDir('agent-cpu');
const mq = await startTestBroker();
const configPath = join(dir.path, 'agent.json');
writeFileSync(
  configPath,
  JSON.stringify({
    brokerUrl: mq.url,
    enrollmentSecret: ENROLLMENT_SECRET,
    investigators: [{ name: 'alice', publicKey: armoredPublicKey('alice') }],
    dataDir: join(dir.path, 'data'),
    root: dir.path,
  }),
);
const prof = process.env.MIG_AGENT_CPU_PROF;
const fromSources = process.env.MIG_AGENT_CPU_TSX === '1';
const compiled = fromSources ? undefined : await compiledChild();
const child = spawn(
  process.execPath,
  [
    ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []),
    // MIG_AGENT_CPU_NODE_FLAGS='--flag …': V8/Node flags for the agent only, to try them A/B.
    ...(process.env.MIG_AGENT_CPU_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    ...(compiled ? [compiled.path] : ['--import', 'tsx', 'scripts/agent-cpu-child.ts']),
    configPath,
  ],
  { stdio: 'inherit' },
);
const beat = await mq.inbox.waitFor((m) => m.kind === 'heartbeat');
const agentId = (beat as { agentId: string }).agentId;

const actions = await Promise.all(
  [...Array(N + WARMUP).keys()].map(() =>
    signedAction(['alice'], { operations: [{ module: 'probe', parameters: { rows: 3 } }] }),
  ),
);

async function run(batch: readonly unknown[]): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  for (let i = 0; i < batch.length; i += WINDOW) {
    const from = mq.inbox.messages.length;
    const ids = await Promise.all(batch.slice(i, i + WINDOW).map((a) => mq.sendCommand(agentId, a)));
    for (const id of ids) {
      const result = await mq.inbox.waitFor((m): m is ResultMsg => m.kind === 'result' && m.commandId === id, from);
      statuses[result.status] = (statuses[result.status] ?? 0) + 1;
    }
  }
  return statuses;
}

/** utime + stime in ms of a /proc stat file (the process's, or one thread's). */
const statMs = (path: string): number => {
  const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
};
const cpuMs = (): number => statMs(`/proc/${child.pid}/stat`);
/** CPU ms per thread name (main thread, module worker, libuv pool, V8 helpers): where the time goes. */
const threadMs = (): Map<string, number> => {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${child.pid}/task/${tid}/comm`, 'utf8').trim();
      const key = tid === String(child.pid) ? 'main' : `${name}:${tid}`;
      byName.set(key, (byName.get(key) ?? 0) + statMs(`/proc/${child.pid}/task/${tid}/stat`));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return byName;
};
await run(actions.slice(0, WARMUP));
const before = cpuMs();
const threadsBefore = threadMs();
const started = performance.now();
const statuses = await run(actions.slice(WARMUP));
const spent = cpuMs() - before;
const wall = performance.now() - started;
const threads = [...threadMs()]
  .map(([name, ms]) => [name, (ms - (threadsBefore.get(name) ?? 0)) / N] as const)
  .filter(([, perCommand]) => perCommand > 0)
  .sort((a, b) => b[1] - a[1]);
console.log(
  `agent CPU per command: ${(spent / N).toFixed(3)} ms (${spent} ms / ${N} commands after ${WARMUP}, window ${WINDOW}); ` +
    `wall ${(wall / N).toFixed(2)} ms/command; statuses ${JSON.stringify(statuses)}; ` +
    `verify ${process.env.MIG_AGENT_CPU_SLOW_VERIFY === '1' ? 'openpgp' : 'fast'}; ` +
    `V8 ${process.env.MIG_AGENT_CPU_V8_DEFAULT === '1' ? 'defaults' : 'tuned'}; ` +
    `${fromSources ? 'sources through tsx' : 'compiled dist/'}; load ${loadavg()[0]?.toFixed(1)}`,
);
console.log(`  per thread, ms per command: ${threads.map(([name, ms]) => `${name} ${ms.toFixed(3)}`).join(', ')}`);
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
await mq.close();
dir.remove();
compiled?.remove();
