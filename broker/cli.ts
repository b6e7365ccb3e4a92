import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseArgsError, zodFlagProblems } from '../protocol/flag-problem.js';
import * as openpgp from 'openpgp';
import { z } from 'zod';
import { BaseError, UserError } from '../protocol/errors.js';
import type { ServerOptions } from './server.js';
import { StoreUrlSchema } from './store/open-store.js';

const USAGE = `usage: mig server [--data-dir DIR] [--store postgres://USER@HOST:PORT/DB] [--http-port 8765] [--mqtt-port 1883] [--host 127.0.0.1]
                  [--tls-cert FILE --tls-key FILE [--tls-ca FILE]] [--admin-key FILE.asc [--admin-name NAME]]
                  [--response-signers 2] [--policy-threshold 1] [--auto-accept] [--max-pending 1000]
                  [--enroll-burst 200] [--enroll-per-second 10]
                  [--broker mqtt(s)://HOST:PORT --broker-password-file FILE [--broker-user mig-server] [--broker-ca FILE] [--broker-shared]]
                  [--enrollment-secret-file FILE] [--lease-ms 15000]

Runs the MIG server: HTTP API, scheduler, store and an embedded MQTT broker for agents.
Stops cleanly on SIGINT or SIGTERM.

  --data-dir DIR     where actions, results, investigators and secrets live (default $MIG_HOME/server, MIG_HOME=~/.mig)
  --store URL        postgres://user@host:port/database: keep actions, results, investigators and
                     agents in PostgreSQL, shared by several servers (default: files in --data-dir)
  --http-port N      HTTP API port (default 8765; 0 picks one)
  --mqtt-port N      MQTT port agents connect to (default 1883; 0 picks one)
  --host ADDR        interface for both (default 127.0.0.1; 0.0.0.0 for agents on other hosts)
  --tls-cert FILE    PEM certificate: MQTT over TLS and HTTPS (needs --tls-key)
  --tls-key FILE     PEM private key of --tls-cert
  --tls-ca FILE      PEM CA whose client certificates identify agents (CN = agent id)
  --admin-key FILE   armored public key enrolled as the first admin when there is none yet
                     (default: $MIG_HOME/investigator.pub.asc when it exists)
  --admin-name NAME  that admin's name (default: from the key's user id)
  --response-signers N
                     distinct investigators who must sign an action running a response module
                     before the server launches it (default 2: the two-person rule; agents
                     enforce their own ACL whatever this says)
  --policy-threshold N
                     distinct admins who must sign a policy bundle (default 1; agent.json
                     bakes it, capped by the number of active admins)
  --auto-accept      accept every valid agent enrollment at once (default off: new agents wait,
                     pending, until an admin runs mig agents accept ID|--all)
  --max-pending N    pending enrollments kept at most (default 1000); beyond, new ones are refused
  --enroll-burst N   enrollment connections one source address may open at once (default 200)
  --enroll-per-second N
                     enrollment connections per second and address after the burst (default 10)
  --broker URL       use this MQTT broker (Mosquitto ≥ 2.0 with its dynamic security plugin,
                     see deploy/mosquitto/) instead of the embedded one; the server keeps one
                     login per accepted agent there, and several servers may share one fleet
  --broker-user NAME the server's login on it, a dynamic-security admin (default mig-server)
  --broker-password-file FILE
                     file holding that login's password (first line)
  --broker-shared    several servers serve this fleet (with a store they share): results are
                     split among them through the shared subscription $share/mig-servers/...
  --broker-ca FILE   for mqtts: the broker's certificate or CA, pinned (also given to agents)
  --enrollment-secret-file FILE
                     the fleet's enrollment secret (one line; default: the one in secrets.json).
                     Several servers sharing one fleet (--store) read the same file; each keeps
                     its own secrets.json for its own broker identity
  --lease-ms N       with --store: how long this server counts as alive without renewing its lease
                     (renewed every 2 s; default 15000). When it runs out, another server takes over
                     this one's open actions
  --verbose          log every dropped message and delivery
  --help             this text`;

const Port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const FilePath = z.string().min(1, 'expected a file path');

const FlagsSchema = z
  .strictObject({
    'data-dir': FilePath.optional(),
    store: StoreUrlSchema.optional(),
    'http-port': Port(8765),
    'mqtt-port': Port(1883),
    host: z.string().min(1).default('127.0.0.1'),
    'tls-cert': FilePath.optional(),
    'tls-key': FilePath.optional(),
    'tls-ca': FilePath.optional(),
    'admin-key': FilePath.optional(),
    'admin-name': z.string().min(1).max(128).optional(),
    'response-signers': z.coerce.number().int().min(1).max(8).default(2),
    'policy-threshold': z.coerce.number().int().min(1).max(32).default(1),
    'auto-accept': z.boolean().default(false),
    'max-pending': z.coerce.number().int().min(1).max(1_000_000).default(1000),
    'enroll-burst': z.coerce.number().int().min(1).max(1_000_000).default(200),
    'enroll-per-second': z.coerce.number().min(0.001).max(1_000_000).default(10),
    broker: z
      .url({ protocol: /^mqtts?$/, error: 'expected mqtt://HOST:PORT or mqtts://HOST:PORT' })
      .refine((u) => {
        const url = new URL(u);
        return url.username === '' && url.password === '';
      }, 'a URL without credentials (they go in --broker-user and --broker-password-file)')
      .optional(),
    'broker-user': z
      .string()
      .min(1)
      .max(128)
      .regex(/^[^\s+#/]+$/, 'expected a login name without spaces, +, # or /')
      .optional(),
    'broker-password-file': FilePath.optional(),
    'broker-ca': FilePath.optional(),
    'broker-shared': z.boolean().default(false),
    'enrollment-secret-file': FilePath.optional(),
    'lease-ms': z.coerce.number().int().min(3000).max(600_000).default(15_000),
    verbose: z.boolean().default(false),
  })
  .refine((f) => f.broker === undefined || f['broker-password-file'] !== undefined, {
    message: '--broker needs --broker-password-file',
  })
  .refine(
    (f) =>
      f.broker !== undefined ||
      ((f['broker-user'] ?? f['broker-password-file'] ?? f['broker-ca']) === undefined && !f['broker-shared']),
    {
      message: '--broker-user, --broker-password-file, --broker-ca and --broker-shared need --broker',
    },
  )
  .refine((f) => f.broker === undefined || f['tls-ca'] === undefined, {
    message: '--tls-ca (agent certificates) is for the embedded broker; with --broker the broker checks agents',
  })
  .refine((f) => (f['tls-cert'] === undefined) === (f['tls-key'] === undefined), {
    message: '--tls-cert and --tls-key go together',
  })
  .refine((f) => f['tls-ca'] === undefined || f['tls-cert'] !== undefined, {
    message: '--tls-ca needs --tls-cert and --tls-key',
  });
type Flags = z.output<typeof FlagsSchema>;

// Alike on purpose (duplicates): the option table of node:util parseArgs, one option a line;
// options share their shape, not logic.
const OPTIONS = {
  'data-dir': { type: 'string' },
  store: { type: 'string' },
  'http-port': { type: 'string' },
  'mqtt-port': { type: 'string' },
  host: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'admin-key': { type: 'string' },
  'admin-name': { type: 'string' },
  'response-signers': { type: 'string' },
  'policy-threshold': { type: 'string' },
  'auto-accept': { type: 'boolean' },
  'max-pending': { type: 'string' },
  'enroll-burst': { type: 'string' },
  'enroll-per-second': { type: 'string' },
  broker: { type: 'string' },
  'broker-user': { type: 'string' },
  'broker-password-file': { type: 'string' },
  'broker-ca': { type: 'string' },
  'broker-shared': { type: 'boolean' },
  'enrollment-secret-file': { type: 'string' },
  'lease-ms': { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export interface ServerCliIo {
  stdout: Pick<NodeJS.WriteStream, 'write'>;
  stderr: Pick<NodeJS.WriteStream, 'write'>;
  /** Where SIGINT/SIGTERM come from; tests pass their own emitter. */
  signals: Pick<NodeJS.Process, 'once' | 'off'>;
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): ServerCliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  signals: process,
  env: process.env,
});

/** `mig server ...`: resolves with the exit code once the server has stopped. */
export async function runServerCli(argv: string[], io: ServerCliIo = defaultIo()): Promise<number> {
  let flags: Flags;
  try {
    const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
    if (values.help === true) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const { help: _help, ...rest } = values;
    const parsed = FlagsSchema.safeParse(rest);
    if (!parsed.success)
      throw new UserError('BAD_REQUEST', `mig server: ${describeFlags(parsed.error, rest)}`, 'see mig server --help');
    flags = parsed.data;
  } catch (err) {
    io.stderr.write(`${formatError(err instanceof BaseError ? err : parseArgsError(err, 'mig server'))}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const opts = await serverOptions(flags, io);
    // This process is the server: V8 paced for a heap that grows in bursts (v8-tuning.ts).
    (await import('./v8-tuning.js')).tuneV8ForServer();
    // Aedes, the store and the HTTP API load here: not for --help or a bad flag.
    const { startServer } = await import('./server.js');
    const server = await startServer(opts);
    io.stdout.write(
      [
        `mig server is running`,
        `  api:          ${server.httpUrl}`,
        `  mqtt:         ${server.mqttUrl}`,
        `  secrets:      ${server.secretsPath} (the agents' enrollment secret is in it)`,
        `  agent config: ${server.agentConfigPath} (start an agent with: mig agent --config ${server.agentConfigPath})`,
        flags['auto-accept']
          ? '  enrollment:   auto-accept ON: every agent holding the enrollment secret joins the fleet'
          : '  enrollment:   new agents wait for an admin: mig agents pending, mig agents accept ID|--all',
        '',
      ].join('\n'),
    );
    const signal = await waitForSignal(io.signals);
    io.stderr.write(`${signal}: shutting down\n`);
    await server.close();
    return 0;
  } catch (err) {
    io.stderr.write(`${formatError(err)}\n`);
    return 1;
  }
}

async function serverOptions(flags: Flags, io: ServerCliIo): Promise<ServerOptions> {
  const migHome = io.env.MIG_HOME ?? join(homedir(), '.mig');
  const read = async (flag: string, path: string | undefined): Promise<string | undefined> => {
    if (path === undefined) return undefined;
    try {
      return await readFile(resolve(path), 'utf8');
    } catch (err) {
      throw new UserError(
        'CONFIG_INVALID',
        `--${flag}: cannot read ${path} (${(err as Error).message})`,
        'check the path',
      );
    }
  };
  const cert = await read('tls-cert', flags['tls-cert']);
  const key = await read('tls-key', flags['tls-key']);
  const ca = await read('tls-ca', flags['tls-ca']);
  const verbose = flags.verbose;
  const broker = await externalBroker(flags, read);
  const enrollmentSecret = enrollmentSecretOf(
    flags['enrollment-secret-file'],
    await read('enrollment-secret-file', flags['enrollment-secret-file']),
  );
  return {
    dataDir: resolve(flags['data-dir'] ?? join(migHome, 'server')),
    ...(flags.store === undefined ? {} : { storeUrl: flags.store }),
    httpHost: flags.host,
    httpPort: flags['http-port'],
    mqttHost: flags.host,
    mqttPort: flags['mqtt-port'],
    tls: cert === undefined || key === undefined ? undefined : { cert, key, ...(ca === undefined ? {} : { ca }) },
    ...(broker === undefined ? {} : { broker }),
    bootstrapAdmin: await adminKey(flags, migHome),
    approval: { responseSigners: flags['response-signers'] },
    policyThreshold: flags['policy-threshold'],
    autoAccept: flags['auto-accept'],
    maxPendingEnrollments: flags['max-pending'],
    enrollRate: { burst: flags['enroll-burst'], perSecond: flags['enroll-per-second'] },
    ...(enrollmentSecret === undefined ? {} : { enrollmentSecret }),
    leaseMs: flags['lease-ms'],
    log: (msg) => {
      // Drops and deliveries are routine on a busy fleet: only --verbose shows them.
      if (verbose || !/^(scheduler|registry|link): (dropped|ignored|redelivered|launched)/.test(msg))
        io.stderr.write(`${new Date().toISOString()} ${msg}\n`);
    },
  };
}

/** --broker and its login: the password from its file (first line), never from the command line. */
async function externalBroker(
  flags: Flags,
  read: (flag: string, path: string | undefined) => Promise<string | undefined>,
): Promise<ServerOptions['broker']> {
  if (flags.broker === undefined) return undefined;
  const password = (await read('broker-password-file', flags['broker-password-file']))?.split(/\r?\n/)[0] ?? '';
  if (password === '') {
    throw new UserError(
      'CONFIG_INVALID',
      `--broker-password-file: ${flags['broker-password-file'] ?? ''} has an empty first line`,
      "write the broker login's password on its first line",
    );
  }
  const ca = await read('broker-ca', flags['broker-ca']);
  return {
    url: flags.broker,
    username: flags['broker-user'] ?? 'mig-server',
    password,
    shared: flags['broker-shared'],
    ...(ca === undefined ? {} : { ca }),
  };
}

/** The file's one line, checked like secrets.json's field (at least 16 characters). */
function enrollmentSecretOf(path: string | undefined, text: string | undefined): string | undefined {
  if (path === undefined || text === undefined) return undefined;
  const secret = text.trim();
  if (secret.length < 16 || /\s/.test(secret)) {
    throw new UserError(
      'CONFIG_INVALID',
      `--enrollment-secret-file: ${path} must hold one secret of at least 16 characters and no spaces (got ${secret.length} characters)`,
      "copy enrollmentSecret from the first server's secrets.json into it",
    );
  }
  return secret;
}

/** --admin-key, or $MIG_HOME/investigator.pub.asc (written by `mig init`) when present. */
async function adminKey(flags: Flags, migHome: string): Promise<ServerOptions['bootstrapAdmin']> {
  const path = flags['admin-key'] ?? join(migHome, 'investigator.pub.asc');
  let publicKey: string;
  try {
    publicKey = await readFile(path, 'utf8');
  } catch (err) {
    if (flags['admin-key'] === undefined) return undefined;
    throw new UserError(
      'CONFIG_INVALID',
      `--admin-key: cannot read ${path} (${(err as Error).message})`,
      'pass an armored public key file',
    );
  }
  return { name: flags['admin-name'] ?? (await nameFromKey(publicKey)), publicKey };
}

/** "Alice Example (work) <alice@example.org>" → "Alice Example"; the server checks the key itself later. */
async function nameFromKey(armoredKey: string): Promise<string> {
  try {
    const key = await openpgp.readKey({ armoredKey });
    const userId = key.getUserIDs()[0] ?? '';
    const name = userId
      .replace(/\s*<[^>]*>\s*$/, '')
      .replace(/\s*\([^)]*\)\s*$/, '')
      .trim();
    return name || userId || 'admin';
  } catch {
    return 'admin';
  }
}

// Alike on purpose (duplicates): the agent's twin (agent/cli.ts): the agent and the server are
// separate programs that import nothing of each other (test/architecture.test.ts).
function waitForSignal(signals: ServerCliIo['signals']): Promise<string> {
  return new Promise((resolvePromise) => {
    const on = (name: string) => (): void => {
      signals.off('SIGINT', onInt);
      signals.off('SIGTERM', onTerm);
      resolvePromise(name);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    signals.once('SIGINT', onInt);
    signals.once('SIGTERM', onTerm);
  });
}

/** `--http-port: expected ... (got "abc")`, one per bad flag; cross-flag rules name no flag. */
function describeFlags(error: z.ZodError, given: Record<string, unknown>): string {
  return zodFlagProblems(error, given).join('; ');
}

function formatError(err: unknown): string {
  if (err instanceof UserError)
    return `error ${err.code}: ${err.message}${err.hint === undefined ? '' : `\nhint: ${err.hint}`}`;
  if (err instanceof BaseError) return `error ${err.code}: ${err.message}`;
  // parseArgs throws plain errors with a code such as ERR_PARSE_ARGS_UNKNOWN_OPTION.
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}
