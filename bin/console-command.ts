// `mig console [--embedded]` and `mig demo`: compose the server, an agent, the signer and the
// Ink console. The console itself only sees a ConsoleBackend.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BaseError, UserError } from '../protocol/errors.js';
import { parseArgsError, zodFlagProblems } from '../protocol/flag-problem.js';
import { encodeToken, newTokenPayload } from '../protocol/auth-token.js';
import {
  PUBLIC_KEY_FILE,
  chooseServer,
  exportsDir,
  clearServerRun,
  loadConfig,
  migHome,
  recordServerRun,
  serverRunPath,
  type ServerRun,
} from '../console/services/config.js';
import { defaultPassphraseSource } from '../console/services/passphrase.js';
import { createSigner, type Signer } from '../console/services/signer.js';
import { ApiClient } from '../console/services/api-client.js';
import { createConsoleBackend } from '../console/services/console-backend.js';
import type { FleetOnQuit } from '../console/state/intents.js';
import { ensureIdentity } from './first-run.js';
import { fileLog, startEmbedded } from './embedded.js';
import { claimEmbedded, EMBEDDED_LOCK_FILE } from './embedded-lock.js';

const USAGE = `usage: mig console [--embedded [--no-agent] [--http-port 8765] [--mqtt-port 1883]] [--server URL] [--read-only]
       mig demo [--hosts 12] [--http-port P] [--mqtt-port P] [--read-only]

  mig console               the console on the server in $MIG_HOME/config.json (or --server URL)
  mig console --embedded    a server in-process (data in $MIG_HOME/server) and an agent for this
                            machine, then the console: what \`npm start\` runs
  mig demo                  an embedded server with N simulated endpoints, some planted with a
                            known IOC scenario, and a card of hunts to try with their answers
  --read-only               no key that changes anything is bound
  --http-port, --mqtt-port  the embedded server's ports (default 8765 and 1883, free ones when busy;
                            the demo's default: free ones)
While an embedded or demo server runs, its real URL is in $MIG_HOME/server.run.json and the
mig CLI talks to it (MIG_SERVER still overrides).
Logs go to $MIG_HOME/console.log (the console owns the screen).`;

const Port = z.coerce.number().int().min(0).max(65535).optional();
const DEFAULT_HTTP_PORT = 8765;
const DEFAULT_MQTT_PORT = 1883;
const FlagsSchema = z.strictObject({
  embedded: z.boolean().default(false),
  'no-agent': z.boolean().default(false),
  'http-port': Port,
  'mqtt-port': Port,
  server: z.url({ protocol: /^https?$/ }).optional(),
  'read-only': z.boolean().default(false),
  hosts: z.coerce.number().int().min(3).max(200).default(12),
  help: z.boolean().default(false),
});
type Flags = z.output<typeof FlagsSchema>;

function parseFlags(argv: string[], command: string): Flags {
  const { values } = parseArgsOrExplain(command, {
    args: argv,
    strict: true,
    options: {
      embedded: { type: 'boolean' },
      'no-agent': { type: 'boolean' },
      'http-port': { type: 'string' },
      'mqtt-port': { type: 'string' },
      server: { type: 'string' },
      'read-only': { type: 'boolean' },
      hosts: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const parsed = FlagsSchema.safeParse(values);
  if (!parsed.success)
    throw new UserError(
      'BAD_REQUEST',
      zodFlagProblems(parsed.error, values, '--').join('; '),
      `see mig ${command} --help`,
    );
  return parsed.data;
}

/** node:util parseArgs, its errors (unknown flag, missing value) said the way every flag error is. */
function parseArgsOrExplain<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw parseArgsError(err, `mig ${command}`);
  }
}

/** Unlocks the key before Ink takes the terminal: a passphrase prompt or gpg's pinentry needs it. */
async function unlockedSigner(home: string): Promise<Signer> {
  const config = await loadConfig(home);
  const signer = await createSigner(config.signer, {
    home,
    env: process.env,
    getPassphrase: defaultPassphraseSource({ env: process.env, input: process.stdin, output: process.stderr }),
  });
  await signer.sign(new Uint8Array([0]));
  return signer;
}

/** Runs the console; resolves with what to do with a fleet it started (`embeddedFleet` names it). */
async function openConsole(
  baseUrl: string,
  home: string,
  flags: Flags,
  unlocked?: Signer,
  embeddedFleet?: string,
): Promise<FleetOnQuit> {
  const config = await loadConfig(home);
  const signer = unlocked ?? (await unlockedSigner(home));
  const client = new ApiClient({ serverUrl: baseUrl, signer, now: () => new Date() });
  const me = await client.me();
  const backend = createConsoleBackend({
    client,
    signer,
    now: () => new Date(),
    investigator: { name: config.name, fingerprint: signer.fingerprint, backend: signer.backend, isAdmin: me.isAdmin },
    exportsDir: exportsDir(home),
  });
  const { runConsole } = await import('../console/app/run-console.js');
  return runConsole(embeddedFleet === undefined ? backend : { ...backend, embeddedFleet }, {
    readOnly: flags['read-only'],
  });
}

/** `q` then `k`: the console is gone, the server and agents stay until a signal. */
async function keepRunning(what: string, baseUrl: string): Promise<void> {
  process.stderr.write(
    `still running: ${what}, at ${baseUrl}\nhunt from another shell with MIG_SERVER=${baseUrl} mig ...; ctrl+c here stops it.\n`,
  );
  await waitForSignal();
}

/** The URL the CLI must use while this process runs (ports may have fallen back to free ones). */
async function recordServer(home: string, run: ServerRun): Promise<void> {
  try {
    await recordServerRun(home, run);
  } catch (err) {
    process.stderr.write(
      `could not record the server URL in ${serverRunPath(home)} (${(err as Error).message}); in other shells: export MIG_SERVER=${run.url}\n`,
    );
  }
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** A second `npm start` opens its console on the server the first one runs (one server per data dir). */
async function attachToRunning(home: string, flags: Flags, pid: number): Promise<void> {
  const serverDir = join(home, 'server');
  let url: string | undefined;
  for (let i = 0; i < 60 && url === undefined; i++) {
    const claim = claimEmbedded(serverDir);
    if (claim.kind === 'owner') {
      claim.release(); // it went away meanwhile: this start may serve the dir itself
      throw new UserError(
        'SERVER_UNREACHABLE',
        `the embedded server of pid ${pid} stopped while this console waited for it`,
        'run npm start again',
      );
    }
    url = claim.url;
    if (url === undefined) await new Promise((r) => setTimeout(r, 250));
  }
  if (url === undefined)
    throw new UserError(
      'SERVER_UNREACHABLE',
      `pid ${pid} holds ${serverDir} but never said where its server listens`,
      `if it hangs, stop it; the lock is ${join(serverDir, EMBEDDED_LOCK_FILE)}`,
    );
  process.stderr.write(
    `mig console --embedded (pid ${pid}) already serves ${serverDir}: opening this console on it at ${url}\n`,
  );
  await openConsole(url, home, flags);
}

async function runEmbedded(home: string, flags: Flags, log: (m: string) => void): Promise<void> {
  await ensureIdentity(home, { env: process.env, stdin: process.stdin, stderr: process.stderr });
  const claim = claimEmbedded(join(home, 'server'));
  if (claim.kind === 'running') return attachToRunning(home, flags, claim.pid);
  try {
    await runEmbeddedServer(home, flags, log, claim.publish);
  } finally {
    claim.release();
  }
}

async function runEmbeddedServer(
  home: string,
  flags: Flags,
  log: (m: string) => void,
  publish: (url: string) => void,
): Promise<void> {
  const config = await loadConfig(home);
  const publicKey = await readFile(join(home, PUBLIC_KEY_FILE), 'utf8');
  const httpPort = flags['http-port'] ?? DEFAULT_HTTP_PORT;
  const mqttPort = flags['mqtt-port'] ?? DEFAULT_MQTT_PORT;
  const embedded = await startEmbedded({
    home,
    httpPort,
    mqttPort,
    admin: { name: config.name, publicKey },
    withAgent: !flags['no-agent'],
    log,
  });
  const fellBack = !embedded.baseUrl.endsWith(`:${httpPort}`) && httpPort !== 0;
  await recordServer(home, {
    url: embedded.baseUrl,
    mqttUrl: embedded.server.mqttUrl,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    origin: 'console --embedded',
  });
  publish(embedded.baseUrl);
  try {
    if (fellBack) {
      process.stderr.write(
        `port ${httpPort} or ${mqttPort} is busy: the embedded server runs at ${embedded.baseUrl} (MQTT ${embedded.server.mqttUrl}); the mig CLI finds it through ${serverRunPath(home)}\n`,
      );
    }
    if (!process.stdin.isTTY) {
      process.stderr.write(
        `mig console needs a terminal; the embedded server runs at ${embedded.baseUrl} (MQTT ${embedded.server.mqttUrl})` +
          `${embedded.agent === undefined ? '' : ` with agent ${embedded.agent.agentId}`}.\n` +
          `Hunt from another shell: MIG_SERVER=${embedded.baseUrl} mig file -t all -path /etc -name '^passwd$'\nctrl+c stops it.\n`,
      );
      await waitForSignal();
      return;
    }
    const what = embedded.agent === undefined ? 'the server' : `the server and agent ${embedded.agent.agentId}`;
    if ((await openConsole(embedded.baseUrl, home, flags, undefined, what)) === 'keep')
      await keepRunning(what, embedded.baseUrl);
  } finally {
    await clearServerRun(home, process.pid);
    await embedded.close();
  }
}

async function runDemo(home: string, flags: Flags, log: (m: string) => void): Promise<void> {
  await ensureIdentity(home, { env: process.env, stdin: process.stdin, stderr: process.stderr });
  const config = await loadConfig(home);
  const publicKey = await readFile(join(home, PUBLIC_KEY_FILE), 'utf8');
  const signer = await unlockedSigner(home);
  const { startDemo } = await import('../demo/start.js');
  process.stderr.write(`starting the demo: ${flags.hosts} simulated endpoints...\n`);
  // Signed registry polls let startDemo wait until the server itself lists every agent online.
  const authorize = async (): Promise<string> => {
    const { bytes } = newTokenPayload(signer.fingerprint, new Date());
    return encodeToken(bytes, await signer.sign(bytes));
  };
  const demo = await startDemo({
    dir: join(home, 'demo'),
    hosts: flags.hosts,
    investigator: { name: config.name, publicKey },
    log,
    authorize,
    ...(flags['http-port'] === undefined ? {} : { httpPort: flags['http-port'] }),
    ...(flags['mqtt-port'] === undefined ? {} : { mqttPort: flags['mqtt-port'] }),
  });
  const baseUrl = demo.httpUrl.replace(/\/api\/v1\/?$/, '');
  await recordServer(home, { url: baseUrl, pid: process.pid, startedAt: new Date().toISOString(), origin: 'demo' });
  try {
    process.stdout.write(`${demo.card}\n\nIn another shell: export MIG_SERVER=${baseUrl}\n`);
    if (!process.stdin.isTTY) {
      process.stderr.write('no terminal: the demo keeps running; ctrl+c stops it.\n');
      await waitForSignal();
      return;
    }
    process.stderr.write('Press Enter to open the console (the card is also in the console log file).\n');
    await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
    const what = `the demo server and its ${demo.hosts.length} agents`;
    if ((await openConsole(baseUrl, home, flags, signer, what)) === 'keep') await keepRunning(what, baseUrl);
  } finally {
    await clearServerRun(home, process.pid);
    await demo.close();
  }
}

export async function runConsoleCommand(command: 'console' | 'demo', argv: string[]): Promise<number> {
  // React's development build is several times slower; set before anything imports React.
  process.env.NODE_ENV ??= 'production';
  // Ink draws only the last frame when it believes it runs in CI (is-in-ci reads these at import).
  // A terminal on stdout means a person is watching, whatever a shell profile exported.
  if (process.stdout.isTTY) {
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
  }
  const home = migHome(process.env);
  try {
    const flags = parseFlags(argv, command);
    if (flags.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const log = fileLog(join(home, 'console.log'));
    if (command === 'demo') await runDemo(home, flags, log);
    else if (flags.embedded) await runEmbedded(home, flags, log);
    else
      await openConsole(
        flags.server ?? (await chooseServer(home, process.env, await loadConfig(home))).url,
        home,
        flags,
      );
    return 0;
  } catch (err) {
    const hint = err instanceof UserError && err.hint !== undefined ? `\n  hint: ${err.hint}` : '';
    const code = err instanceof BaseError ? `${err.code}: ` : '';
    process.stderr.write(`mig ${command}: ${code}${(err as Error).message}${hint}\n`);
    return err instanceof UserError ? 2 : 1;
  }
}
