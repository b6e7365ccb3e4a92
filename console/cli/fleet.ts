import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { FingerprintSchema } from '../../protocol/action.js';
import { AGENT_STATUSES } from '../../protocol/api.js';
import { flagError } from '../../protocol/flag-problem.js';
import { parseTarget } from '../../protocol/target/index.js';
import { EXIT, type CliContext } from './context.js';
import { clean, parseCommand, printTable } from './subcommand.js';

const OutputFlag = z.enum(['text', 'json']).default('text').describe('text for people, json for scripts');

const AgentsFlags = z.object({
  target: z.string().min(1).default('all').describe('only agents this target matches'),
  status: z.enum(AGENT_STATUSES).optional().describe('only agents in this state'),
  limit: z.number().int().min(1).max(10_000).default(100).describe('how many agents'),
  offset: z.number().int().min(0).default(0).describe('skip this many'),
  render: OutputFlag,
});

/** `mig agents [-t target]`: the fleet as the server sees it. */
export async function runAgents(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(ctx, 'agents', 'list agents (all, or those a target matches)', AgentsFlags, { target: { alias: 't' } }, argv);
  if (cmd === undefined) return EXIT.ok;
  cmd.none();
  const { target, status, limit, offset, render } = cmd.values;
  parseTarget(target);
  const list = await (await ctx.client()).listAgents({ target, limit, offset, ...(status === undefined ? {} : { status }) });
  if (render === 'json') {
    ctx.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = list.agents.map((a) => [a.id, clean(a.name), a.os, a.arch, a.status, clean(a.version), a.lastHeartbeatAt]);
  printTable(ctx.stdout, ['ID', 'NAME', 'OS', 'ARCH', 'STATUS', 'VERSION', 'LAST HEARTBEAT'], rows);
  ctx.say(`${list.agents.length} of ${list.total} agent(s)`);
  return EXIT.ok;
}

async function listInvestigators(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(ctx, 'investigators', 'list the investigators the server knows', z.object({ render: OutputFlag }), {}, argv);
  if (cmd === undefined) return EXIT.ok;
  cmd.none();
  const { investigators } = await (await ctx.client()).listInvestigators();
  if (cmd.values.render === 'json') {
    ctx.stdout.write(`${JSON.stringify(investigators, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = investigators.map((i) => [i.fingerprint, clean(i.name), i.isAdmin ? 'admin' : '', i.status, i.createdAt]);
  printTable(ctx.stdout, ['FINGERPRINT', 'NAME', 'ROLE', 'STATUS', 'CREATED'], rows);
  return EXIT.ok;
}

const AddFlags = z.object({
  name: z.string().min(1).max(128).describe("the investigator's name"),
  key: z.string().min(1).describe('their armored public key file (investigator.pub.asc)'),
  admin: z.boolean().default(false).describe('may add and disable investigators'),
});

async function addInvestigator(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(ctx, 'investigators add', "register an investigator's public key (admin)", AddFlags, {}, argv);
  if (cmd === undefined) return EXIT.ok;
  cmd.none();
  let publicKey: string;
  try {
    publicKey = await readFile(cmd.values.key, 'utf8');
  } catch (err) {
    throw flagError('--key', 'a readable public key file', `${JSON.stringify(cmd.values.key)} (${(err as Error).message})`);
  }
  const record = await (await ctx.client()).addInvestigator({ name: cmd.values.name, publicKey, isAdmin: cmd.values.admin });
  ctx.stdout.write(`added ${clean(record.name)} ${record.fingerprint}${record.isAdmin ? ' (admin)' : ''}\n`);
  return EXIT.ok;
}

async function setEnabled(ctx: CliContext, argv: readonly string[], isEnabled: boolean): Promise<number> {
  const verb = isEnabled ? 'enable' : 'disable';
  const cmd = parseCommand(ctx, `investigators ${verb} FINGERPRINT`, `${verb} an investigator (admin)`, z.object({}), {}, argv);
  if (cmd === undefined) return EXIT.ok;
  const text = cmd.only('FINGERPRINT').replace(/\s+/g, '').toLowerCase();
  const fp = FingerprintSchema.safeParse(text);
  if (!fp.success) throw flagError('FINGERPRINT', fp.error.issues[0]?.message ?? 'a key fingerprint', JSON.stringify(text));
  const record = await (await ctx.client()).setInvestigatorEnabled(fp.data, isEnabled);
  ctx.stdout.write(`${clean(record.name)} ${record.fingerprint} is ${record.status}\n`);
  return EXIT.ok;
}

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
