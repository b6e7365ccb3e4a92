import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAgentConfig, type AgentConfig } from '../agent/config.js';
import type { LogFn } from '../agent/log.js';
import { startAgent, type RunningAgent } from '../agent/start.js';
import { startServer, type RunningServer } from '../broker/server.js';
import { AgentCountSchema } from '../protocol/api.js';
import { UserError } from '../protocol/errors.js';
import { renderCard } from './card.js';
import { writeHosts, type WrittenHost } from './hosts.js';
import { buildScenario, MAX_HOSTS, MIN_HOSTS, type DemoHost, type Scenario } from './scenario.js';

export interface DemoOptions {
  /** Wiped and rewritten: must be missing, empty, or an earlier demo's (it holds a marker file). */
  dir: string;
  /** Simulated endpoints, MIN_HOSTS..MAX_HOSTS. */
  hosts: number;
  /** 0 (the default) picks a free port. */
  httpPort?: number;
  mqttPort?: number;
  log?: (message: string) => void;
  /** Enrolled as the server's admin and baked into every agent as the only trusted key. */
  investigator: { name: string; publicKey: string };
  /**
   * A fresh `Authorization` header signed by the investigator. When given, startDemo also waits
   * until the server's registry lists every agent online (GET /agents/count), not only until
   * every agent is connected to the broker.
   */
  authorize?: () => Promise<string>;
  /** Default: 30 s plus 100 ms per host. */
  readyTimeoutMs?: number;
}

export interface RunningDemo {
  /** The API base URL, `/api/v1` included. */
  httpUrl: string;
  mqttUrl: string;
  /** The scenario card: hunts to try and their answers. */
  card: string;
  /** Host (agent) names, in fleet order. */
  hosts: string[];
  scenario: Scenario;
  /** Stops the agents, then the server. Safe to call twice. */
  close(): Promise<void>;
}

/** Left in the demo dir so a later run knows it may wipe it. */
const MARKER = '.mig-demo';
/** Heartbeats often enough that a trainer sees agents come and go quickly. */
const DEMO_HEARTBEAT_MS = 5000;

/**
 * `mig demo`: the scenario's host trees, an in-process server and one in-process agent per
 * host, each investigating its own tree. Resolves once every agent is connected (and, with
 * `authorize`, registered); a failure half way stops whatever was started.
 */
export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  if (!Number.isInteger(opts.hosts) || opts.hosts < MIN_HOSTS || opts.hosts > MAX_HOSTS) {
    throw new UserError(
      'BAD_REQUEST',
      `--hosts: expected an integer from ${MIN_HOSTS} to ${MAX_HOSTS}, got ${opts.hosts}`,
      'try mig demo --hosts 12',
    );
  }
  const log = opts.log ?? (() => undefined);
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000 + 100 * opts.hosts);
  prepareDir(opts.dir);
  const scenario = buildScenario(opts.hosts);
  const written = writeHosts(opts.dir, scenario);
  log(`demo: wrote ${written.length} host trees under ${join(opts.dir, 'hosts')}`);
  const server = await startServer({
    dataDir: join(opts.dir, 'server'),
    httpPort: opts.httpPort ?? 0,
    mqttPort: opts.mqttPort ?? 0,
    bootstrapAdmin: opts.investigator,
    // One machine, its own simulated hosts: every demo agent enrolls at once from 127.0.0.1.
    autoAccept: true,
    enrollRate: { burst: 100_000, perSecond: 100_000 },
    log,
  });
  const agents: RunningAgent[] = [];
  const close = once(async () => {
    // Every agent gets its chance to say goodbye even if one fails; the server goes last.
    const closed = await Promise.allSettled(agents.splice(0).map((a) => a.close()));
    for (const r of closed)
      if (r.status === 'rejected') log(`demo: stopping an agent failed: ${(r.reason as Error).message}`);
    await server.close();
  });
  try {
    await startAgents(scenario, written, server, opts, agents, deadline);
    log(`demo: ${agents.length} agents connected to ${server.mqttUrl}`);
    if (opts.authorize !== undefined) await waitForRegistry(server.httpUrl, opts.authorize, scenario.count, deadline);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    httpUrl: server.httpUrl,
    mqttUrl: server.mqttUrl,
    card: renderCard(scenario),
    hosts: scenario.hosts.map((h) => h.name),
    scenario,
    close,
  };
}

/** Refuses to wipe a directory that is neither empty nor an earlier demo's: `--dir ~` must not cost a home. */
function prepareDir(dir: string): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new UserError(
        'BAD_REQUEST',
        `demo: refusing to wipe ${dir}: it is not empty and no earlier demo made it`,
        'point the demo at a new or empty directory',
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, MARKER), 'Made by mig demo; the next run wipes this directory.\n');
}

async function startAgents(
  scenario: Scenario,
  written: readonly WrittenHost[],
  server: RunningServer,
  opts: DemoOptions,
  agents: RunningAgent[],
  deadline: number,
): Promise<void> {
  const log = opts.log ?? (() => undefined);
  const connected: Promise<void>[] = [];
  const pending = new Set(scenario.hosts.map((h) => h.name));
  const started = await Promise.allSettled(
    scenario.hosts.map((host, i) => {
      let onConnected = (): void => undefined;
      connected.push(
        new Promise<void>((resolve) => (onConnected = resolve)).then(() => void pending.delete(host.name)),
      );
      const config = demoAgentConfig(host, written[i] ?? never(host.name), server, opts.investigator);
      // Simulated Linux hosts: module platform checks follow them, not the machine running the demo.
      return startAgent(config, { log: agentLog(host.name, log, onConnected), platform: 'linux' });
    }),
  );
  for (const result of started) if (result.status === 'fulfilled') agents.push(result.value);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  const isReady = await untilDeadline(Promise.all(connected), deadline);
  if (!isReady)
    throw new UserError(
      'SERVER_UNREACHABLE',
      `demo: ${pending.size} agent(s) did not connect in time: ${[...pending].slice(0, 10).join(', ')}`,
      'see the log for MQTT errors',
    );
}

/** What broker/agent-config.ts writes, plus this host's identity, tree and simulated facts. */
export function demoAgentConfig(
  host: DemoHost,
  paths: WrittenHost,
  server: Pick<RunningServer, 'mqttUrl' | 'enrollmentSecret'>,
  investigator: DemoOptions['investigator'],
): AgentConfig {
  return parseAgentConfig({
    brokerUrl: server.mqttUrl,
    enrollmentSecret: server.enrollmentSecret,
    investigators: [{ name: investigator.name, publicKey: investigator.publicKey }],
    // The demo's investigator is the server's first admin: their policy bundles reach these agents.
    admins: { keys: [{ name: investigator.name, publicKey: investigator.publicKey }], threshold: 1 },
    name: host.name,
    tags: host.tags,
    root: paths.root,
    dataDir: paths.dataDir,
    heartbeatMs: DEMO_HEARTBEAT_MS,
    environment: {
      os: 'linux',
      arch: host.arch,
      ident: host.os.pretty,
      init: 'systemd',
      hostname: host.name,
      addresses: host.addresses,
    },
  });
}

/**
 * Forwards the agent's log (debug aside), naming the host. The session's "connected" line is
 * the only signal startAgent gives that the broker accepted the agent.
 */
function agentLog(name: string, log: (m: string) => void, onConnected: () => void): LogFn {
  return (level, message) => {
    if (message.startsWith('mqtt: connected')) onConnected();
    if (level !== 'debug') log(`agent ${name}: ${level}: ${message}`);
  };
}

/** Polls the registry until every agent is online there: hunts launched next will reach them all. */
async function waitForRegistry(
  httpUrl: string,
  authorize: () => Promise<string>,
  count: number,
  deadline: number,
): Promise<void> {
  for (;;) {
    const res = await fetch(`${httpUrl}/agents/count?target=all`, { headers: { authorization: await authorize() } });
    const text = await res.text();
    if (res.status !== 200)
      throw new UserError(
        'SERVER_UNREACHABLE',
        `demo: GET /agents/count answered ${res.status}: ${text.slice(0, 300)}`,
      );
    const online = AgentCountSchema.parse(JSON.parse(text)).online;
    if (online >= count) return;
    if (Date.now() > deadline)
      throw new UserError('SERVER_UNREACHABLE', `demo: only ${online} of ${count} agents registered in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** true if `promise` settled before the deadline; its rejection propagates. */
async function untilDeadline(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>(
    (resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))),
  );
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

function never(what: string): never {
  throw new Error(`demo: no tree was written for ${what}`);
}
