import { access, mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../protocol/errors.js';
import { flagError } from '../../protocol/flag-problem.js';
import { flagsHelp } from '../flags/help.js';
import { isHelpRequested, parseFlags } from '../flags/parse-flags.js';
import {
  DEFAULT_SERVER_URL,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  configPath,
  writeNewConfig,
  type Config,
} from '../services/config.js';
import { exportPublicKey, findSecretKey } from '../services/gpg.js';
import { promptMasked, readPassphraseFromStream } from '../services/passphrase.js';
import { generateIdentity } from '../services/signer.js';
import { EXIT, type CliContext } from './context.js';

const InitFlagsSchema = z.object({
  name: z.string().min(1).max(128).optional().describe('your name as other investigators see it (default: your login)'),
  'passphrase-stdin': z.boolean().default(false).describe('read the key passphrase from stdin'),
  'no-passphrase': z.boolean().default(false).describe('store the key without a passphrase (test machines only)'),
  // A plain string with a check: flags are derived from string/number/boolean/enum fields only.
  server: z
    .string()
    .refine((text) => /^https?:\/\/[^\s/]+/.test(text) && URL.canParse(text), 'expected an http:// or https:// URL')
    .optional()
    .describe(`mig server URL (default: ${DEFAULT_SERVER_URL})`),
  gpg: z.string().min(1).optional().describe('use this key from your gpg keyring (or smartcard) instead of a key file'),
});
const INIT_HINTS = {} as const;
type InitFlags = z.output<typeof InitFlagsSchema>;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Never replaces an identity: a lost private key means re-enrolling every agent's keyring. */
async function refuseExisting(home: string): Promise<void> {
  for (const file of [configPath(home), join(home, PRIVATE_KEY_FILE), join(home, PUBLIC_KEY_FILE)]) {
    if (await exists(file)) {
      throw new UserError(
        'CONFLICT',
        `an investigator identity already exists: ${file}`,
        'move it away, or set MIG_HOME to create another identity elsewhere',
      );
    }
  }
}

/** --no-passphrase, --passphrase-stdin, MIG_PASSPHRASE, else a masked prompt (twice) on a terminal. */
async function choosePassphrase(ctx: CliContext, flags: InitFlags): Promise<string | undefined> {
  if (flags['no-passphrase'] && flags['passphrase-stdin'])
    throw flagError('--passphrase-stdin', 'it without --no-passphrase', 'both', { hint: 'they contradict each other' });
  if (flags['no-passphrase']) return undefined;
  if (flags['passphrase-stdin']) return nonEmpty(await readPassphraseFromStream(ctx.stdin));
  const fromEnv = ctx.deps.env.MIG_PASSPHRASE;
  if (fromEnv !== undefined) return nonEmpty(fromEnv);
  if (ctx.stdin.isTTY !== true) {
    throw new UserError(
      'BAD_REQUEST',
      'no passphrase for the new key and stdin is not a terminal',
      'use --passphrase-stdin, set MIG_PASSPHRASE, or --no-passphrase',
    );
  }
  const first = nonEmpty(await promptMasked('New key passphrase: ', ctx.stdin, ctx.stderr));
  const again = await promptMasked('Repeat passphrase: ', ctx.stdin, ctx.stderr);
  if (first !== again) throw new UserError('BAD_REQUEST', 'the passphrases differ; nothing was created');
  return first;
}

function nonEmpty(passphrase: string): string {
  if (passphrase === '')
    throw new UserError('BAD_REQUEST', 'empty passphrase', 'use --no-passphrase to store the key unprotected');
  return passphrase;
}

async function initKeyfile(
  ctx: CliContext,
  flags: InitFlags,
  name: string,
): Promise<{ config: Config; fingerprint: string; lines: string[] }> {
  const passphrase = await choosePassphrase(ctx, flags);
  const id = await generateIdentity({ name, ...(passphrase === undefined ? {} : { passphrase }) });
  await mkdir(ctx.home, { recursive: true, mode: 0o700 });
  const keyFile = join(ctx.home, PRIVATE_KEY_FILE);
  await writeFile(keyFile, id.privateKeyArmored, { flag: 'wx', mode: 0o600 });
  await writeFile(join(ctx.home, PUBLIC_KEY_FILE), id.publicKeyArmored, { flag: 'wx', mode: 0o644 });
  const protection = passphrase === undefined ? 'NO passphrase' : 'passphrase-protected';
  return {
    config: {
      serverUrl: flags.server ?? DEFAULT_SERVER_URL,
      signer: { kind: 'keyfile', path: PRIVATE_KEY_FILE },
      name,
    },
    fingerprint: id.fingerprint,
    lines: [`  private key  ${keyFile} (mode 0600, ${protection})`],
  };
}

async function initGpg(
  ctx: CliContext,
  flags: InitFlags,
  spec: string,
  name: string,
): Promise<{ config: Config; fingerprint: string; lines: string[] }> {
  const gpgHome = ctx.deps.env.GNUPGHOME;
  const opts = { gpgHome, env: ctx.deps.env };
  const fingerprint = await findSecretKey(spec, opts);
  const publicKey = await exportPublicKey(fingerprint, opts);
  await mkdir(ctx.home, { recursive: true, mode: 0o700 });
  await writeFile(join(ctx.home, PUBLIC_KEY_FILE), publicKey, { flag: 'wx', mode: 0o644 });
  return {
    config: {
      serverUrl: flags.server ?? DEFAULT_SERVER_URL,
      signer: { kind: 'gpg', fingerprint, ...(gpgHome === undefined ? {} : { gpgHome }) },
      name,
    },
    fingerprint,
    lines: [
      `  private key  in gpg${gpgHome === undefined ? '' : ` (GNUPGHOME ${gpgHome})`}: signing runs \`gpg --detach-sign\``,
    ],
  };
}

/** `mig init`: creates this machine's investigator identity under $MIG_HOME. */
export async function runInit(ctx: CliContext, argv: readonly string[]): Promise<number> {
  if (isHelpRequested(argv)) {
    ctx.stdout.write(
      `mig init [flags]: create your investigator key and config in ${ctx.home}\n\n${flagsHelp(InitFlagsSchema, INIT_HINTS)}`,
    );
    return EXIT.ok;
  }
  const { values: flags, positionals } = parseFlags(InitFlagsSchema, argv, INIT_HINTS, { subject: 'mig init' });
  if (positionals.length > 0)
    throw new UserError('BAD_REQUEST', `mig init: unexpected argument ${JSON.stringify(positionals[0])}`);
  await refuseExisting(ctx.home);
  const name = flags.name ?? ctx.deps.env.USER ?? userInfo().username;
  const made =
    flags.gpg === undefined ? await initKeyfile(ctx, flags, name) : await initGpg(ctx, flags, flags.gpg, name);
  await writeNewConfig(ctx.home, made.config);
  ctx.stdout.write(
    [
      `created the investigator identity of ${name}`,
      `  fingerprint  ${made.fingerprint}`,
      ...made.lines,
      `  public key   ${join(ctx.home, PUBLIC_KEY_FILE)}`,
      `  config       ${configPath(ctx.home)} (server ${made.config.serverUrl})`,
      `next: an admin registers your public key: mig investigators add --name '${name}' --key ${join(ctx.home, PUBLIC_KEY_FILE)}`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
