import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { SignedAction } from '../../protocol/action.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { checkActionLimits } from '../../protocol/check-operations.js';
import { UserError } from '../../protocol/errors.js';
import { Keyring, verifyAll } from '../../protocol/signature.js';
import { RENDER_FORMATS } from '../render/renderer.js';
import { importMigAction } from '../import/mig-action.js';
import { addSignature, parseActionFile, signAction } from '../services/action-signing.js';
import { EXIT, type CliContext } from './context.js';
import { DurationFlag, parseDuration } from './hunt-flags.js';
import { launchAndFollow } from './launch.js';
import { parseCommand } from './subcommand.js';

/** Reads a JSON file a person names on the command line; errors name the file. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError('BAD_REQUEST', `cannot read ${path}: ${(err as Error).message}`, undefined, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError('BAD_REQUEST', `${path} is not JSON: ${(err as Error).message}`, undefined, { cause: err });
  }
}

/** Write-then-rename, so a crash never leaves half an action where a whole one was. */
export async function writeActionFile(path: string, action: SignedAction): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(action, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, path);
}

function warnIfExpired(ctx: CliContext, action: SignedAction): void {
  if (Date.parse(action.expireAfter) <= ctx.now().getTime())
    ctx.say(`warning: action ${action.id} expired at ${action.expireAfter}`);
}

/** Checks the signatures already on the file against the server's investigator keys. */
async function verifyExisting(ctx: CliContext, action: SignedAction): Promise<void> {
  if (action.signatures.length === 0) return;
  const { investigators } = await (await ctx.client()).listInvestigators();
  const ring = await Keyring.fromArmored(investigators.filter((i) => i.status === 'active').map((i) => i.publicKey));
  const signers = await verifyAll(canonicalActionBytes(action), action.signatures, ring);
  ctx.say(`existing signatures verify: ${signers.join(', ')}`);
}

const SignFlags = z.object({
  output: z.string().min(1).optional().describe('write the signed action here instead of back to FILE'),
  verify: z
    .boolean()
    .default(false)
    .describe("first verify the signatures already there against the server's investigator keys"),
});

// Alike on purpose (duplicates): each command states its usage, summary, flags and hints to the one
// parser (parseCommand), Prettier laying the call out the same way every time.
export async function runActionSign(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(
    ctx,
    'action sign FILE',
    'add your signature to an action file',
    SignFlags,
    { output: { alias: 'o' } },
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  const file = cmd.only('FILE');
  const action = parseActionFile(await readJsonFile(file), file);
  warnIfExpired(ctx, action);
  if (cmd.values.verify) await verifyExisting(ctx, action);
  // What the server would refuse is refused here, before a signature is spent on it.
  checkActionLimits(action, ctx.modules, ctx.now());
  const signer = await ctx.signer();
  const signed = await addSignature(action, signer);
  const out = cmd.values.output ?? file;
  await writeActionFile(out, signed);
  ctx.say(
    `signed action ${signed.id} with ${signer.fingerprint}: ${signed.signatures.length} signature(s), written to ${out}`,
  );
  return EXIT.ok;
}

const LaunchFlags = z.object({
  show: z.enum(['found', 'notfound', 'all']).default('found').describe('which answers to print'),
  render: z.enum(RENDER_FORMATS).default('text').describe('output format on stdout'),
  yes: z.boolean().default(false).describe('launch without the countdown'),
});
const LAUNCH_HINTS = { yes: { alias: 'y' } };

/** Launches a signed action and follows it like a hunt, rendered with its first operation's module. */
async function launchSigned(
  ctx: CliContext,
  action: SignedAction,
  flags: z.output<typeof LaunchFlags>,
): Promise<number> {
  const module = action.operations[0]?.module ?? '';
  const spec = ctx.modules.get(module);
  if (spec === undefined)
    throw new UserError(
      'UNKNOWN_MODULE',
      `action ${action.id} runs module ${module}, which this console does not know`,
    );
  return launchAndFollow(ctx, action, spec, { render: flags.render, show: flags.show, isConfirmed: flags.yes });
}

export async function runActionLaunch(ctx: CliContext, argv: readonly string[]): Promise<number> {
  // Alike on purpose (duplicates): each subcommand gives the shared parseCommand its own usage line, description, flags
  // and hints; the call is what repeats.
  const cmd = parseCommand(
    ctx,
    'action launch FILE',
    'launch a signed action file and follow it',
    LaunchFlags,
    LAUNCH_HINTS,
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  const file = cmd.only('FILE');
  const action = parseActionFile(await readJsonFile(file), file);
  if (action.signatures.length === 0)
    throw new UserError('NO_SIGNATURE', `${file} is not signed`, `run \`mig action sign ${file}\` first`);
  warnIfExpired(ctx, action);
  return launchSigned(ctx, action, cmd.values);
}

const ImportFlags = LaunchFlags.extend({
  output: z.string().min(1).optional().describe('write the signed action here (default: stdout)'),
  target: z.string().min(1).optional().describe("replace the MIG action's target with this one"),
  expiry: DurationFlag.optional().describe(
    "validity from now when the MIG file's window is unset or past: 30s, 5m, 2h, 1d (default 1h)",
  ),
  'skip-unsupported': z
    .boolean()
    .default(false)
    .describe('drop operations of modules we do not have (with a warning) instead of failing'),
  launch: z.boolean().default(false).describe('launch it at once instead of writing it'),
});

export async function runActionImport(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const hints = { ...LAUNCH_HINTS, output: { alias: 'o' }, target: { alias: 't' }, expiry: { alias: 'e' } };
  const cmd = parseCommand(
    ctx,
    'action import MIGFILE',
    'convert a MIG action file to ours and sign it',
    ImportFlags,
    hints,
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  const file = cmd.only('MIGFILE');
  const { values } = cmd;
  const expiryMs = values.expiry === undefined ? undefined : parseDuration(values.expiry);
  const { action, warnings } = importMigAction(await readJsonFile(file), {
    now: ctx.now(),
    ...(values.target === undefined ? {} : { target: values.target }),
    ...(expiryMs === undefined ? {} : { expiryMs }),
    skipUnsupported: values['skip-unsupported'],
  });
  for (const warning of warnings) ctx.say(`warning: ${warning}`);
  checkActionLimits(action, ctx.modules, ctx.now());
  const signed = await signAction(action, await ctx.signer());
  if (values.launch) return launchSigned(ctx, signed, values);
  if (values.output === undefined) ctx.stdout.write(`${JSON.stringify(signed, null, 2)}\n`);
  else await writeActionFile(values.output, signed);
  ctx.say(
    `imported ${file} as action ${signed.id}${values.output === undefined ? '' : `, written to ${values.output}`}`,
  );
  return EXIT.ok;
}
