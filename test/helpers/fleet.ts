import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectAgentJsonToList } from './agent-json.js';
import { freePort } from './free-port.js';
import { runMig, startMig, type MigProcess } from './mig-process.js';

export { freePort };

/** A throwaway world for cross-process tests: MIG_HOME, a server data dir, host trees. */
export interface Fleet {
  dir: string;
  env: NodeJS.ProcessEnv;
  serverDir: string;
  httpPort: number;
  mqttPort: number;
  cleanup(): Promise<void>;
}

export async function makeFleet(): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), 'mig-e2e-'));
  const home = join(dir, 'home');
  const httpPort = await freePort();
  const mqttPort = await freePort();
  const env = { MIG_HOME: home, HOME: dir, MIG_SERVER: `http://127.0.0.1:${httpPort}`, MIG_POLL_MS: '500' };
  return {
    dir,
    env,
    serverDir: join(dir, 'server'),
    httpPort,
    mqttPort,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function initInvestigator(fleet: Fleet, name: string): Promise<void> {
  const init = await runMig(['init', '--no-passphrase', '--name', name], fleet.env);
  if (init.code !== 0) throw new Error(`mig init failed (${init.code}): ${init.stderr}${init.stdout}`);
}

/**
 * `mig server` on the fleet's ports. Agents enroll like real ones; with `autoAccept` (the
 * default here, so tests stay short) the server accepts them at once, without it they wait,
 * pending, for `mig agents accept`. `extra` adds server flags.
 */
export async function startServerProcess(
  fleet: Fleet,
  opts: { autoAccept?: boolean; extra?: string[] } = {},
): Promise<MigProcess> {
  const server = startMig(
    [
      'server',
      '--data-dir',
      fleet.serverDir,
      '--http-port',
      String(fleet.httpPort),
      '--mqtt-port',
      String(fleet.mqttPort),
      ...((opts.autoAccept ?? true) ? ['--auto-accept'] : []),
      ...(opts.extra ?? []),
    ],
    fleet.env,
  );
  await server.waitFor(/mig server is running/);
  return server;
}

/**
 * A fleet with alice's investigator key and its server running (auto-accept), the start of most
 * cross-process tests. The server also goes into `into` when given (the test's list of processes
 * to stop); the fleet's files are removed again if the server does not start.
 */
export async function startFleetServer(into?: MigProcess[]): Promise<{ fleet: Fleet; server: MigProcess }> {
  const fleet = await makeFleet();
  try {
    await initInvestigator(fleet, 'alice');
    const server = await startServerProcess(fleet);
    into?.push(server);
    return { fleet, server };
  } catch (err) {
    await fleet.cleanup();
    throw err;
  }
}

export interface HostSpec {
  name: string;
  tags: Record<string, string>;
  /** Files to create under the host's root: path (absolute inside the host) → content. */
  files: Record<string, string | Uint8Array>;
}

/** Writes the host tree and an agent config derived from the server's agent.json. */
export async function prepareHost(fleet: Fleet, host: HostSpec): Promise<string> {
  const root = join(fleet.dir, 'hosts', host.name, 'root');
  await mkdir(root, { recursive: true });
  for (const [path, content] of Object.entries(host.files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  const base = JSON.parse(await readFile(join(fleet.serverDir, 'agent.json'), 'utf8')) as Record<string, unknown>;
  const config = {
    ...base,
    name: host.name,
    tags: host.tags,
    root,
    dataDir: join(fleet.dir, 'hosts', host.name, 'data'),
    heartbeatMs: 1000,
  };
  const path = join(fleet.dir, 'hosts', host.name, 'agent.json');
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

/**
 * Prepares and starts one agent per host, pushing each into `into` as soon as it runs (so that a
 * start failing half way still leaves the started ones for `stopFleet`), then waits until all
 * of them are online.
 */
export async function startAgents(
  fleet: Fleet,
  hosts: readonly HostSpec[],
  into: MigProcess[],
  timeoutMs?: number,
): Promise<void> {
  for (const host of hosts) into.push(await startAgentProcess(fleet, await prepareHost(fleet, host)));
  await waitForOnlineAgents(fleet, hosts.length, timeoutMs);
}

/**
 * A second investigator with a home of its own (`init` there), added to the running server with
 * `mig investigators add`. Returns the environment that acts as that investigator.
 */
export async function addInvestigator(fleet: Fleet, name: string): Promise<NodeJS.ProcessEnv> {
  const env = { ...fleet.env, MIG_HOME: join(fleet.dir, `${name}-home`) };
  const init = await runMig(['init', '--no-passphrase', '--name', name], env);
  if (init.code !== 0) throw new Error(`mig init ${name} failed (${init.code}): ${init.stderr}${init.stdout}`);
  const key = join(fleet.dir, `${name}-home`, 'investigator.pub.asc');
  const added = await runMig(['investigators', 'add', '--name', name, '--key', key], fleet.env);
  if (added.code !== 0) throw new Error(`investigators add ${name} failed (${added.code}): ${added.stderr}`);
  expectAgentJsonToList(join(fleet.serverDir, 'agent.json'), name);
  return env;
}

export async function startAgentProcess(fleet: Fleet, configPath: string): Promise<MigProcess> {
  const agent = startMig(['agent', '--config', configPath], fleet.env);
  await agent.waitFor(/connected/i);
  return agent;
}

/** Polls `mig agents` until `count` agents are online. Returns their records. */
export async function waitForOnlineAgents(
  fleet: Fleet,
  count: number,
  timeoutMs = 20_000,
): Promise<{ id: string; name: string }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await runMig(['agents', '-t', "status = 'online'", '-render', 'json'], fleet.env);
    if (res.code === 0) {
      const parsed = JSON.parse(res.stdout) as
        { agents?: { id: string; name: string }[] } | { id: string; name: string }[];
      const agents = Array.isArray(parsed) ? parsed : (parsed.agents ?? []);
      if (agents.length >= count) return agents;
    }
    if (Date.now() > deadline)
      throw new Error(`fewer than ${count} agents online after ${timeoutMs} ms: ${res.stdout}${res.stderr}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * Stops what a fleet test started, agents first, then the server, and removes the fleet's files.
 * Any of them may be missing when the start failed half way: what exists is still stopped.
 */
export async function stopFleet(
  agents: readonly MigProcess[],
  server: MigProcess | undefined,
  fleet: Fleet | undefined,
): Promise<void> {
  await Promise.all(agents.map((a) => a.stop()));
  await server?.stop();
  await fleet?.cleanup();
}
