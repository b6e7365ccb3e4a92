// Child process of the fan-out benchmark's simulated fleet:
// `node --import tsx bench/fanout-sim-agents.ts <spec.json>` holds `count` simulated agents
// (bench/fanout-sim-agent.ts). Same line protocol as fanout-agents.ts, plus:
//   start       → prepares every agent, then opens all their sessions at once (a connect storm);
//                 answers {"type":"ready", ...per-agent connect latencies}
//   beat <ms>   → every agent heartbeats every <ms>, phases spread evenly; answers {"type":"beating"}
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseAgentConfig } from '../agent/config.js';
import { detectFacts } from '../agent/facts.js';
import { loadTrustRoots } from '../agent/keys.js';
import { moduleSpecs } from '../modules/registry.js';
import { describeIssues } from '../protocol/zod-issues.js';
import { Probe } from './fanout-probe.js';
import { SimAgent, type SimShared } from './fanout-sim-agent.js';

const SpecSchema = z.strictObject({
  count: z.number().int().min(1).max(20_000),
  /** Agent ids and names: `<prefix>-<i>`. */
  prefix: z.string().regex(/^[a-z0-9-]{1,32}$/),
  /** agent.json as the server wrote it (broker URL, enrollment secret, investigators' keys). */
  config: z.record(z.string(), z.unknown()),
  verify: z.enum(['full', 'shared']),
});
type Spec = z.infer<typeof SpecSchema>;

const MAX_LOGGED = 20;
let logged = 0;

function send(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function readSpec(path: string | undefined): Spec {
  if (path === undefined) throw new Error('usage: fanout-sim-agents.ts <spec.json>');
  const parsed = SpecSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

async function sharedOf(spec: Spec): Promise<SimShared> {
  const config = parseAgentConfig({ ...spec.config, name: spec.prefix, dataDir: '/nonexistent' }, { baseDir: process.cwd() });
  const trust = await loadTrustRoots(config);
  const host = detectFacts({ agentId: `${spec.prefix}-0`, name: spec.prefix, tags: config.tags, root: config.root, overrides: config.environment });
  const modules = [...moduleSpecs.values()].filter((s) => s.platforms.includes(process.platform)).map((s) => s.name);
  return {
    brokerUrl: config.brokerUrl,
    enrollmentSecret: config.enrollmentSecret,
    keyring: trust.keyring,
    acl: trust.acl,
    maxClockSkewMs: config.maxClockSkewMs,
    modules,
    host,
    verify: spec.verify,
    verdicts: new Map(),
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Every agent made first (local work), then every session opened in one go: the storm. */
function storm(spec: Spec, shared: SimShared, probe: Probe, agents: SimAgent[]): Promise<Record<string, unknown>> {
  const latencies: number[] = [];
  let reconnects = 0;
  let resolveAll = (): void => undefined;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const events = {
    onConnected: (_id: string, ms: number) => {
      latencies.push(ms);
      if (latencies.length === spec.count) resolveAll();
    },
    onReconnect: () => void reconnects++,
    onAccepted: (id: string) => probe.accepted(id),
    onProblem: (id: string, message: string) => {
      if (logged++ < MAX_LOGGED) process.stderr.write(`${id}: ${message}\n`);
    },
  };
  for (let i = 0; i < spec.count; i++) agents.push(new SimAgent(`${spec.prefix}-${i}`, `${spec.prefix}-${i}`, shared, events));
  const start = performance.now();
  for (const agent of agents) agent.connect();
  return all.then(() => {
    const sorted = latencies.sort((a, b) => a - b);
    return { agents: agents.length, connectMs: performance.now() - start, connectP50Ms: quantile(sorted, 0.5), connectP99Ms: quantile(sorted, 0.99), connectMaxMs: sorted.at(-1) ?? Number.NaN, reconnects };
  });
}

async function main(): Promise<void> {
  const spec = readSpec(process.argv[2]);
  const shared = await sharedOf(spec);
  const probe = new Probe();
  probe.install();
  const agents: SimAgent[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= Promise.allSettled(agents.splice(0).map((a) => a.close())).then(() => {
      send({ type: 'stopped' });
      process.exit(0);
    }));
  const lines = createInterface({ input: process.stdin });
  lines.on('close', () => void stop());
  lines.on('line', (line) => {
    const [word, arg] = line.trim().split(/\s+/);
    if (word === 'start') {
      storm(spec, shared, probe, agents).then(
        (ready) => send({ type: 'ready', ...ready }),
        (err: unknown) => send({ type: 'failed', message: (err as Error).stack ?? String(err) }),
      );
    } else if (word === 'beat') {
      const everyMs = Number(arg);
      agents.forEach((a, i) => a.beatEvery(everyMs, (everyMs * i) / agents.length));
      send({ type: 'beating' });
    } else if (word === 'mark') {
      probe.mark();
      send({ type: 'marked' });
    } else if (word === 'report') send({ type: 'report', ...probe.report() });
    else if (word === 'stop') void stop();
  });
  send({ type: 'loaded', pid: process.pid });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: (err as Error).stack ?? String(err) });
  process.exit(1);
});
