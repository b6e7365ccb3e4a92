import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { FingerprintSchema } from '../../protocol/action.js';
import { AGENT_STATUSES } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { flagError } from '../../protocol/flag-problem.js';
import { parseTarget } from '../../protocol/target/index.js';
import type { InvestigatorRecord } from '../../protocol/api.js';
import { EXIT, type CliContext } from './context.js';
import { OutputFlag, runListing } from './listing.js';
import { publishNextPolicy } from './policy.js';
import { clean, parseCommand, printTable } from './subcommand.js';

const AgentsFlags = z.object({
  target: z.string().min(1).default('all').describe('only agents this target matches'),
  status: z.enum(AGENT_STATUSES).optional().describe('only agents in this state'),
  limit: z.number().int().min(1).max(10_000).default(100).describe('how many agents'),
  offset: z.number().int().min(0).default(0).describe('skip this many'),
  render: OutputFlag,
});

/** `mig agents [-t target]`: the fleet as the server sees it. */
export async function runAgents(ctx: CliContext, argv: readonly string[]): Promise<number> {
  // Alike on purpose (duplicates): each command states its usage, summary, flags and hints to the
  // one parser (parseCommand), Prettier laying the call out the same way every time.
  const cmd = parseCommand(
    ctx,
    'agents',
    'list agents (all, or those a target matches)',
    AgentsFlags,
    { target: { alias: 't' } },
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  cmd.none();
  const { target, status, limit, offset, render } = cmd.values;
  parseTarget(target);
  const list = await (
    await ctx.client()
  ).listAgents({ target, limit, offset, ...(status === undefined ? {} : { status }) });
  if (render === 'json') {
    ctx.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = list.agents.map((a) => [
    a.id,
    clean(a.name),
    a.os,
    a.arch,
    a.status,
    clean(a.version),
    policyText(a.policyVersion),
    a.lastHeartbeatAt,
  ]);
  printTable(ctx.stdout, ['ID', 'NAME', 'OS', 'ARCH', 'STATUS', 'VERSION', 'POLICY', 'LAST HEARTBEAT'], rows);
  ctx.say(`${list.agents.length} of ${list.total} agent(s)`);
  return EXIT.ok;
}

/** The policy bundle version an agent holds: `v0` is its baked config, `-` an agent too old to say. */
export function policyText(version: number | undefined): string {
  return version === undefined ? '-' : `v${version}`;
}

function listInvestigators(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const command = { usage: 'investigators', summary: 'list the investigators the server knows' };
  return runListing(
    ctx,
    argv,
    command,
    async () => (await (await ctx.client()).listInvestigators()).investigators,
    (investigators) => {
      const rows = investigators.map((i) => [
        i.fingerprint,
        clean(i.name),
        i.isAdmin ? 'admin' : '',
        i.status,
        i.createdAt,
      ]);
      printTable(ctx.stdout, ['FINGERPRINT', 'NAME', 'ROLE', 'STATUS', 'CREATED'], rows);
    },
  );
}

const AddFlags = z.object({
  name: z.string().min(1).max(128).describe("the investigator's name"),
  key: z.string().min(1).describe('their armored public key file (investigator.pub.asc)'),
  admin: z.boolean().default(false).describe('may add and disable investigators'),
});

async function addInvestigator(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(
    ctx,
    'investigators add',
    "register an investigator's public key (admin)",
    AddFlags,
    {},
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  cmd.none();
  let publicKey: string;
  try {
    publicKey = await readFile(cmd.values.key, 'utf8');
  } catch (err) {
    throw flagError(
      '--key',
      'a readable public key file',
      `${JSON.stringify(cmd.values.key)} (${(err as Error).message})`,
    );
  }
  const record = await (
    await ctx.client()
  ).addInvestigator({ name: cmd.values.name, publicKey, isAdmin: cmd.values.admin });
  ctx.stdout.write(`added ${clean(record.name)} ${record.fingerprint}${record.isAdmin ? ' (admin)' : ''}\n`);
  return EXIT.ok;
}

/**
 * A fingerprint, or the name of exactly one investigator. Sixteen or more hex digits are meant
 * as a fingerprint: a mistyped one is named as such rather than looked up as a name.
 */
async function resolveInvestigator(who: string, list: () => Promise<readonly InvestigatorRecord[]>): Promise<string> {
  const text = who.replace(/\s+/g, '').toLowerCase();
  if (/^[0-9a-f]{16,}$/.test(text)) {
    const fp = FingerprintSchema.safeParse(text);
    if (!fp.success)
      throw flagError('FINGERPRINT', fp.error.issues[0]?.message ?? 'a key fingerprint', JSON.stringify(text));
    return fp.data;
  }
  const investigators = await list();
  const named = investigators.filter((i) => i.name === who);
  if (named.length === 1 && named[0] !== undefined) return named[0].fingerprint;
  if (named.length > 1)
    throw new UserError(
      'CONFLICT',
      `${named.length} investigators are named ${JSON.stringify(who)}`,
      `pass a fingerprint: ${named.map((i) => i.fingerprint).join(', ')}`,
    );
  throw new UserError(
    'NOT_FOUND',
    `no investigator is named ${JSON.stringify(who)}, and it is not a fingerprint`,
    '`mig investigators` lists them',
  );
}

const SetEnabledFlags = z.object({
  publish: z
    .boolean()
    .default(true)
    .describe('then publish the next policy bundle so agents follow (admins; -publish=false to skip)'),
});

async function setEnabled(ctx: CliContext, argv: readonly string[], isEnabled: boolean): Promise<number> {
  const verb = isEnabled ? 'enable' : 'disable';
  const cmd = parseCommand(
    ctx,
    `investigators ${verb} NAME|FINGERPRINT`,
    `${verb} an investigator (admin), then publish the policy agents follow`,
    SetEnabledFlags,
    {},
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  const client = await ctx.client();
  const fp = await resolveInvestigator(
    cmd.only('NAME|FINGERPRINT'),
    async () => (await client.listInvestigators()).investigators,
  );
  const record = await client.setInvestigatorEnabled(fp, isEnabled);
  ctx.stdout.write(`${clean(record.name)} ${record.fingerprint} is ${record.status}\n`);
  const consequence = isEnabled
    ? `agents trust ${clean(record.name)} again`
    : `agents refuse ${clean(record.name)}'s signatures`;
  if (!cmd.values.publish) {
    ctx.say(
      `the server already ${isEnabled ? 'accepts' : 'refuses'} ${clean(record.name)}'s signatures; ${consequence} once an admin runs \`mig policy publish\``,
    );
    return EXIT.ok;
  }
  if (!(await client.me()).isAdmin) {
    ctx.say(`ask an admin to run \`mig policy publish\`: ${consequence} only once a new policy bundle reaches them`);
    return EXIT.ok;
  }
  ctx.say(`publishing the next policy bundle so that ${consequence}:`);
  const outcome = await publishNextPolicy(ctx, client, { isConfirmed: true });
  if (outcome !== undefined) ctx.stdout.write(`${outcome}\n`);
  return EXIT.ok;
}

// Alike on purpose (duplicates): a command with subcommands dispatches on its first word, as
// policy.ts runPolicy does; the words differ.
/** `mig investigators [add ... | disable FP | enable FP]`. */
export async function runInvestigators(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
      return addInvestigator(ctx, rest);
    case 'disable':
      return setEnabled(ctx, rest, false);
    case 'enable':
      return setEnabled(ctx, rest, true);
    default:
      return listInvestigators(ctx, argv);
  }
}
