import { z } from 'zod';
import { UserError } from '../../protocol/errors.js';
import { AgentIdSchema } from '../../protocol/messages.js';
import { EXIT, type CliContext } from './context.js';
import { runListing } from './listing.js';
import { clean, parseCommand, printTable } from './subcommand.js';

/**
 * Enrollment policy from the command line (like `salt-key`): list pending agents, accept one
 * or all, reject one. Deciding needs an admin key; the server audit-logs every decision.
 */

function agentId(text: string): string {
  const parsed = AgentIdSchema.safeParse(text);
  if (!parsed.success)
    throw new UserError(
      'BAD_REQUEST',
      `ID: expected an agent id like a-<20 hex>, got ${JSON.stringify(text.slice(0, 80))}`,
      'mig agents pending lists them',
    );
  return parsed.data;
}

/** `mig agents pending`: enrollments waiting for an admin, oldest first. */
export function runAgentsPending(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const command = { usage: 'agents pending', summary: 'list agents waiting for an admin to accept their enrollment' };
  return runListing(
    ctx,
    argv,
    command,
    async () => (await ctx.client()).listPendingAgents(),
    (list) => {
      const rows = list.agents.map((a) => [
        a.id,
        clean(a.name),
        a.os,
        a.arch,
        clean(a.environment.hostname),
        clean(a.environment.addresses.join(',')),
        a.firstSeenAt,
      ]);
      printTable(ctx.stdout, ['ID', 'NAME', 'OS', 'ARCH', 'HOSTNAME', 'ADDRESSES', 'ASKED AT'], rows);
      ctx.say(`${list.total} pending agent(s); accept with: mig agents accept ID (or --all)`);
    },
  );
}

const AcceptFlags = z.object({ all: z.boolean().default(false).describe('accept every pending agent') });

/** `mig agents accept ID|--all`. */
export async function runAgentsAccept(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(
    ctx,
    'agents accept ID|--all',
    'accept a pending agent, or all of them (admin)',
    AcceptFlags,
    {},
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  const client = await ctx.client();
  if (cmd.values.all) {
    cmd.none();
    const { accepted } = await client.acceptAllAgents();
    for (const id of accepted) ctx.stdout.write(`accepted ${id}\n`);
    ctx.say(`${accepted.length} agent(s) accepted`);
    return EXIT.ok;
  }
  const record = await client.acceptAgent(agentId(cmd.only('ID')));
  ctx.stdout.write(`accepted ${record.id} (${clean(record.name)})\n`);
  return EXIT.ok;
}

/** `mig agents reject ID`: a pending agent stays out; an accepted one loses its credential. */
export async function runAgentsReject(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(
    ctx,
    'agents reject ID',
    "reject a pending agent, or withdraw an accepted agent's credential (admin)",
    z.object({}),
    {},
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  const record = await (await ctx.client()).rejectAgent(agentId(cmd.only('ID')));
  ctx.stdout.write(`rejected ${record.id} (${clean(record.name)})\n`);
  return EXIT.ok;
}
