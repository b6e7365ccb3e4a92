import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { FingerprintSchema } from '../../protocol/action.js';
import { UserError } from '../../protocol/errors.js';
import { describeIssues } from '../../protocol/zod-issues.js';

/**
 * The investigator's identity on this machine: `$MIG_HOME` (default `~/.mig`) holds
 * `config.json` and, for the key-file backend, the armored key pair. The config file is a
 * boundary like any other: parsed with a strict schema, problems named by field.
 */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8765';
export const CONFIG_FILE = 'config.json';
export const PRIVATE_KEY_FILE = 'investigator.key.asc';
export const PUBLIC_KEY_FILE = 'investigator.pub.asc';

export const SignerConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('keyfile'),
    /** Relative paths resolve against MIG_HOME so the directory can be moved as a whole. */
    path: z.string().min(1).describe('armored private key file'),
  }),
  z.strictObject({
    kind: z.literal('gpg'),
    fingerprint: FingerprintSchema.describe('primary key fingerprint in the gpg keyring'),
    gpgHome: z.string().min(1).optional().describe('GNUPGHOME for this key; default: gpg’s own'),
  }),
]);
export type SignerConfig = z.infer<typeof SignerConfigSchema>;

export const ConfigSchema = z.strictObject({
  serverUrl: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .default(DEFAULT_SERVER_URL)
    .describe('where `mig server` listens'),
  signer: SignerConfigSchema,
  name: z.string().min(1).max(128).describe('the investigator’s display name'),
});
export type Config = z.infer<typeof ConfigSchema>;

/** `$MIG_HOME`, else `~/.mig` (HOME taken from the injected env so tests never touch the real one). */
export function migHome(env: NodeJS.ProcessEnv): string {
  const explicit = env.MIG_HOME;
  if (explicit !== undefined && explicit !== '') return explicit;
  return join(env.HOME ?? homedir(), '.mig');
}

/** Where result exports go unless a path is given (`mig action results -export`, the console's `x`). */
export function exportsDir(home: string): string {
  return join(home, 'exports');
}

export function configPath(home: string): string {
  return join(home, CONFIG_FILE);
}

/** Resolves the key file path of a keyfile signer against MIG_HOME. */
export function keyfilePath(home: string, path: string): string {
  return isAbsolute(path) ? path : join(home, path);
}

export async function loadConfig(home: string): Promise<Config> {
  const file = configPath(home);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(
        'CONFIG_INVALID',
        `no investigator identity in ${home}`,
        'run `mig init` first (or set MIG_HOME)',
        {
          cause: err,
        },
      );
    }
    throw new UserError('CONFIG_INVALID', `cannot read ${file}: ${(err as Error).message}`, undefined, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError('CONFIG_INVALID', `${file} is not JSON: ${(err as Error).message}`, undefined, { cause: err });
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError(
      'CONFIG_INVALID',
      `${file}: ${describeIssues(parsed.error)}`,
      'fix the file or move it away and run `mig init`',
    );
  }
  return parsed.data;
}

/** Writes a new config; `wx` refuses to replace an existing one (init never overwrites an identity). */
export async function writeNewConfig(home: string, config: Config): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  await writeFile(configPath(home), `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
}

/**
 * The server a console on this machine really started (`mig console --embedded`, `mig demo`).
 * Its ports fall back to free ones when 8765/1883 are busy, so the configured URL may be wrong
 * while it runs: the CLI reads this file instead (MIG_SERVER still overrides), and only while
 * the process that wrote it is alive.
 */
export const SERVER_RUN_FILE = 'server.run.json';

export const ServerRunSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  mqttUrl: z.string().max(256).optional(),
  pid: z.number().int().positive(),
  startedAt: z.iso.datetime({ offset: true }),
  origin: z.enum(['console --embedded', 'demo']),
});
export type ServerRun = z.infer<typeof ServerRunSchema>;

export function serverRunPath(home: string): string {
  return join(home, SERVER_RUN_FILE);
}

export async function recordServerRun(home: string, run: ServerRun): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const tmp = `${serverRunPath(home)}.${run.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(run, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, serverRunPath(home));
}

/** Removes the run file if it is still ours (a later console may have replaced it). */
export async function clearServerRun(home: string, pid: number): Promise<void> {
  const run = await readServerRun(home, () => true);
  if (run?.pid === pid) await rm(serverRunPath(home), { force: true });
}

/** True when a process with this id exists (EPERM: it exists, it is just not ours to signal). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The recorded server while its process lives; undefined when absent, unreadable, malformed or dead. */
export async function readServerRun(
  home: string,
  isAlive: (pid: number) => boolean = isProcessAlive,
): Promise<ServerRun | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(serverRunPath(home), 'utf8'));
  } catch {
    return undefined;
  }
  const parsed = ServerRunSchema.safeParse(raw);
  if (!parsed.success || !isAlive(parsed.data.pid)) return undefined;
  return parsed.data;
}

/** Where the server URL the CLI uses came from: error hints name it. */
export interface ServerChoice {
  url: string;
  source: string;
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
}

/**
 * The server to talk to: MIG_SERVER, else the server a console on this machine started while it
 * runs (only when the configured URL is a local one: a configured remote server is never
 * silently replaced), else the configured URL.
 */
export async function chooseServer(
  home: string,
  env: NodeJS.ProcessEnv,
  config: Pick<Config, 'serverUrl'>,
  isAlive?: (pid: number) => boolean,
): Promise<ServerChoice> {
  const fromEnv = env.MIG_SERVER;
  if (fromEnv !== undefined && fromEnv !== '') return { url: fromEnv, source: 'MIG_SERVER' };
  if (isLoopback(config.serverUrl)) {
    const run = await readServerRun(home, isAlive);
    if (run !== undefined)
      return {
        url: run.url,
        source: `the server \`mig ${run.origin}\` started (pid ${run.pid}, ${serverRunPath(home)})`,
      };
  }
  return { url: config.serverUrl, source: `serverUrl in ${configPath(home)}` };
}
