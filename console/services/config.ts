import { mkdir, readFile, writeFile } from 'node:fs/promises';
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
      throw new UserError('CONFIG_INVALID', `no investigator identity in ${home}`, 'run `mig init` first (or set MIG_HOME)', {
        cause: err,
      });
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
    throw new UserError('CONFIG_INVALID', `${file}: ${describeIssues(parsed.error)}`, 'fix the file or move it away and run `mig init`');
  }
  return parsed.data;
}

/** Writes a new config; `wx` refuses to replace an existing one (init never overwrites an identity). */
export async function writeNewConfig(home: string, config: Config): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  await writeFile(configPath(home), `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
}
