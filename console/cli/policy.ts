import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AclSchema, type Acl } from '../../protocol/acl.js';
import type { InvestigatorRecord } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { parsePolicyText, type ParsedPolicy } from '../../protocol/policy.js';
import type { PolicyView } from '../../protocol/policy-api.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import type { ApiClient } from '../services/api-client.js';
import {
  coSignPendingPolicy,
  describePolicyChange,
  nextPolicyFrom,
  outcomeText,
  publishPolicy,
  requirePending,
} from '../services/policy.js';
import { askYesNo } from './confirm.js';
import { EXIT, type CliContext } from './context.js';
import { runListing } from './listing.js';
import { clean, parseCommand } from './subcommand.js';

/**
 * `mig policy show | publish | sign`: the policy bundles that tell agents whose signatures
 * count (protocol/policy.ts). The server relays; admins sign here, with their own key.
 */

function nameOf(investigators: readonly InvestigatorRecord[], fp: string): string {
  const known = investigators.find((i) => i.fingerprint === fp);
  return known === undefined ? fp : `${clean(known.name)} (${fp})`;
}

function describeBundle(
  title: string,
  parsed: ParsedPolicy,
  signers: readonly string[],
  investigators: readonly InvestigatorRecord[],
): string[] {
  const { bundle } = parsed;
  return [
    `${title}: version ${bundle.version}, issued ${bundle.issuedAt}`,
    `  investigators  ${bundle.investigators.map((i) => `${clean(i.name)} (${i.fingerprint})`).join(', ') || 'none'}`,
    `  admins         ${bundle.admins.fingerprints.map((fp) => nameOf(investigators, fp)).join(', ')}; ${bundle.admins.threshold} must sign`,
    `  modules        ${bundle.allowedModules?.join(', ') ?? 'every module the agent allows'}`,
    `  signed by      ${signers.map((fp) => nameOf(investigators, fp)).join(', ') || 'nobody yet'}`,
  ];
}

/** The text of `mig policy show`: the current bundle, any pending one, who must sign the next. */
function policyLines(view: PolicyView, investigators: readonly InvestigatorRecord[]): string[] {
  const lines: string[] = [];
  if (view.current === undefined)
    lines.push(
      'no policy bundle published: agents use the investigators and admins baked into their config (version 0)',
    );
  else
    lines.push(...describeBundle('current', parsePolicyText(view.current.bundle), view.current.signers, investigators));
  if (view.pending !== undefined) {
    lines.push(
      ...describeBundle('pending', parsePolicyText(view.pending.bundle), view.pending.signers, investigators),
      `  waiting for    ${clean(view.pending.shortfall)}`,
    );
  }
  lines.push(
    `next bundles need ${view.trust.admins.threshold} of: ${view.trust.admins.fingerprints.map((fp) => nameOf(investigators, fp)).join(', ') || 'no admin'}`,
  );
  return lines;
}

function showPolicy(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const command = {
    usage: 'policy show',
    summary: 'show the policy bundle agents are given, and any waiting for signatures',
  };
  const load = async () => {
    const client = await ctx.client();
    const [view, { investigators }] = await Promise.all([client.getPolicy(), client.listInvestigators()]);
    return { view, investigators };
  };
  const printText = ({ view, investigators }: Awaited<ReturnType<typeof load>>): void => {
    ctx.stdout.write(`${policyLines(view, investigators).join('\n')}\n`);
  };
  return runListing(ctx, argv, command, load, printText, ({ view }) => view);
}

const PublishFlags = z.object({
  acl: z
    .string()
    .min(1)
    .optional()
    .describe('a JSON file with the ACL to publish (default: the current one, adjusted to who is active)'),
  yes: z.boolean().default(false).describe('publish without asking (you still see the bundle)'),
});

async function readAcl(path: string): Promise<Acl> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UserError('BAD_REQUEST', `--acl: cannot read ${path} as JSON: ${(err as Error).message}`, undefined, {
      cause: err,
    });
  }
  const parsed = AclSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError(
      'BAD_REQUEST',
      `--acl ${path}: ${describeIssues(parsed.error)}`,
      'see protocol/acl.ts: {"default": {"minimumWeight": 1, "weights": {"<fingerprint>": 1}}, ...}',
    );
  return parsed.data;
}

/**
 * Builds, shows, signs and posts the next bundle. `isConfirmed` skips the question (after
 * `investigators disable`, the admin already said what they want). Returns the outcome line.
 */
export async function publishNextPolicy(
  ctx: CliContext,
  client: ApiClient,
  opts: { acl?: Acl; isConfirmed: boolean },
): Promise<string | undefined> {
  const [view, { investigators }, signer] = await Promise.all([
    client.getPolicy(),
    client.listInvestigators(),
    ctx.signer(),
  ]);
  const next = nextPolicyFrom(view, investigators, {
    now: ctx.now(),
    ...(opts.acl === undefined ? {} : { acl: opts.acl }),
  });
  const changes = describePolicyChange(next.unsigned, next.current);
  ctx.say(
    [
      ...describeBundle(
        'next',
        { raw: next.unsigned, bundle: { ...next.unsigned, signatures: [] } },
        [],
        investigators,
      ),
      ...changes.map((c) => `  ${c}`),
    ].join('\n'),
  );
  const isYes =
    opts.isConfirmed ||
    (await askYesNo(ctx, `sign and publish policy version ${next.unsigned.version}?`, 'review it above, then pass -y'));
  if (!isYes) return undefined;
  return outcomeText(await publishPolicy(await ctx.client({ isInterruptible: false }), signer, next.unsigned));
}

async function publish(ctx: CliContext, argv: readonly string[]): Promise<number> {
  // Alike on purpose (duplicates): each command states its usage, summary, flags and hints to the
  // one parser (parseCommand), Prettier laying the call out the same way every time.
  const cmd = parseCommand(
    ctx,
    'policy publish',
    'build the next policy bundle from the active investigators, sign it and publish it (admin)',
    PublishFlags,
    { yes: { alias: 'y' } },
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  cmd.none();
  const acl = cmd.values.acl === undefined ? undefined : await readAcl(cmd.values.acl);
  const outcome = await publishNextPolicy(ctx, await ctx.client(), {
    ...(acl === undefined ? {} : { acl }),
    isConfirmed: cmd.values.yes,
  });
  if (outcome === undefined) {
    ctx.say('not published: nothing was signed');
    return EXIT.notFound;
  }
  ctx.stdout.write(`${outcome}\n`);
  return EXIT.ok;
}

async function sign(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(
    ctx,
    'policy sign',
    'review and co-sign the policy bundle waiting for admin signatures',
    z.object({ yes: PublishFlags.shape.yes }),
    { yes: { alias: 'y' } },
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  cmd.none();
  const client = await ctx.client();
  const [view, { investigators }, signer] = await Promise.all([
    client.getPolicy(),
    client.listInvestigators(),
    ctx.signer(),
  ]);
  const pending = requirePending(view);
  const signers = view.pending?.signers ?? [];
  ctx.say(describeBundle('pending', pending, signers, investigators).join('\n'));
  const isYes =
    cmd.values.yes ||
    (await askYesNo(
      ctx,
      `co-sign policy version ${pending.bundle.version}?`,
      'review it with `mig policy show`, then pass -y',
    ));
  if (!isYes) {
    ctx.say('not signed');
    return EXIT.notFound;
  }
  ctx.stdout.write(
    `${outcomeText(await coSignPendingPolicy(await ctx.client({ isInterruptible: false }), signer, pending))}\n`,
  );
  return EXIT.ok;
}

/** `mig policy [show | publish | sign]`. */
export async function runPolicy(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'publish':
      return publish(ctx, rest);
    case 'sign':
      return sign(ctx, rest);
    case 'show':
      return showPolicy(ctx, rest);
    default:
      return showPolicy(ctx, argv);
  }
}
