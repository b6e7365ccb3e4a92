import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAgentConfig } from '../agent/config.js';
import { startAgent, type RunningAgent } from '../agent/start.js';
import { startServer, type RunningServer } from '../broker/server.js';

export interface EmbeddedOptions {
  home: string;
  httpPort: number;
  mqttPort: number;
  admin: { name: string; publicKey: string };
  withAgent: boolean;
  log: (msg: string) => void;
}

export interface Embedded {
  server: RunningServer;
  agent: RunningAgent | undefined;
  /** Base URL without the API prefix, what the API client wants. */
  baseUrl: string;
  close(): Promise<void>;
}

/** Appends timestamped lines to a log file: the console owns the screen, logs go here. */
export function fileLog(path: string): (msg: string) => void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return (msg) => appendFileSync(path, `${new Date().toISOString()} ${msg}\n`);
}

function isAddressInUse(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'EADDRINUSE';
}

/** The usual ports (8765, 1883) when free, else any: a second `npm start` must still start. */
async function startOnPreferredPorts(opts: EmbeddedOptions): Promise<RunningServer> {
  // One host: the agent next to the server is this machine's own, so it is accepted at once.
  const base = { dataDir: join(opts.home, 'server'), bootstrapAdmin: opts.admin, log: opts.log, autoAccept: true };
  try {
    return await startServer({ ...base, httpPort: opts.httpPort, mqttPort: opts.mqttPort });
  } catch (err) {
    if (!isAddressInUse(err) || (opts.httpPort === 0 && opts.mqttPort === 0)) throw err;
    opts.log(`embedded: port in use, picking free ports`);
    return startServer({ ...base, httpPort: 0, mqttPort: 0 });
  }
}

/** `mig console --embedded`: the server in-process plus an agent for this machine. */
export async function startEmbedded(opts: EmbeddedOptions): Promise<Embedded> {
  const server = await startOnPreferredPorts(opts);
  let agent: RunningAgent | undefined;
  try {
    if (opts.withAgent) {
      const raw = JSON.parse(await readFile(server.agentConfigPath, 'utf8')) as Record<string, unknown>;
      const config = parseAgentConfig(
        { ...raw, name: hostname(), root: '/', dataDir: join(opts.home, 'agent'), tags: { origin: 'embedded' } },
        { baseDir: join(opts.home, 'server') },
      );
      agent = await startAgent(config, { log: (level, msg) => opts.log(`agent ${level}: ${msg}`) });
    }
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    server,
    agent,
    baseUrl: server.httpUrl.replace(/\/api\/v1\/?$/, ''),
    async close() {
      await agent?.close();
      await server.close();
    },
  };
}
