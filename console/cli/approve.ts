import { z } from 'zod';
import { isResponseModule } from '../../protocol/limits.js';
import { isAwaitingApproval, type ActionRecord, type InvestigatorRecord } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { coSign, verifiedSigners } from '../services/approval.js';
import { actionId } from './action-server.js';
import { askYesNo } from './confirm.js';
import { EXIT, type CliContext } from './context.js';
import { clean, parseCommand, printTable } from './subcommand.js';

/**
 * The two-person rule from the command line: `mig action pending` lists what waits for a
 * second investigator, `mig action approve ID` shows it, asks, co-signs and sends the signature.
 */

function nameOf(investigators: readonly InvestigatorRecord[], fingerprint: string): string {
  const known = investigators.find((i) => i.fingerprint === fingerprint);
  return known === undefined ? fingerprint : `${clean(known.name)} (${fingerprint})`;
}

function modulesText(ctx: CliContext, record: ActionRecord): string {
  const modules = [...new Set(record.action.operations.map((op) => op.module))];
  return modules.map((m) => (isResponseModule(m) ? `${m} (response: changes the endpoints)` : m)).join(', ');
}

function expiryText(expireAfter: string, nowMs: number): string {
  const leftS = Math.round((Date.parse(expireAfter) - nowMs) / 1000);
  const left =
    leftS <= 0
      ? 'expired'
      : leftS < 120
        ? `in ${leftS}s`
        : leftS < 7200
          ? `in ${Math.round(leftS / 60)}m`
          : `in ${Math.round(leftS / 3600)}h`;
  return `${expireAfter} (${left})`;
}

/** What the approver reads before saying yes: what is signed, exactly, then a summary. */
function review(
  ctx: CliContext,
  record: ActionRecord,
  signedBy: readonly string[],
  investigators: readonly InvestigatorRecord[],
): string {
  const { signatures: _signatures, ...signedPart } = record.action;
  const required = record.approval?.required ?? 2;
  const rows: [string, string][] = [
    ['action', record.action.id],
    ['name', clean(record.action.name)],
    ['modules', modulesText(ctx, record)],
    ['target', clean(record.action.target)],
    ['expires', expiryText(record.action.expireAfter, ctx.now().getTime())],
    ['signed by', signedBy.map((fp) => nameOf(investigators, fp)).join(', ')],
    ['needs', `${required} distinct investigators; your signature makes ${signedBy.length + 1}`],
  ];
  return [
    'The action, exactly as you sign it:',
    JSON.stringify(signedPart, null, 2),
    '',
    ...rows.map(([k, v]) => `${k.padEnd(10)}${v}`),
    '',
  ].join('\n');
}

function outcome(record: ActionRecord): string {
  const base = `action ${record.action.id} is ${record.status}`;
  if (record.status === 'inflight')
    return `${base}: launched to ${record.counters.targeted} agent(s); follow it with \`mig action show ${record.action.id}\``;
  if (isAwaitingApproval(record) && record.approval !== undefined) {
    return `${base}: ${record.approval.signers.length} of ${record.approval.required} investigators signed; waiting for another one`;
  }
  if (record.status === 'pending') return `${base}: approved; it launches at ${record.action.validFrom}`;
  return record.reason === undefined ? base : `${base} (${clean(record.reason)})`;
}

const ApproveFlags = z.object({
  yes: z.boolean().default(false).describe('approve without asking (you still see the action)'),
});

export async function runActionApprove(ctx: CliContext, argv: readonly string[]): Promise<number> {
  // Alike on purpose (duplicates): each command states its usage, summary, flags and hints to the
  // one parser (parseCommand), Prettier laying the call out the same way every time.
  const cmd = parseCommand(
    ctx,
    'action approve ID',
    'review, co-sign and launch an action waiting for approval',
    ApproveFlags,
    { yes: { alias: 'y' } },
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  const id = actionId(cmd.only('ID'));
  const client = await ctx.client();
  const record = await client.getAction(id);
  if (!isAwaitingApproval(record)) {
    throw new UserError(
      'CONFLICT',
      `action ${id} is ${record.status}, not waiting for approval`,
      '`mig action pending` lists the actions that are',
    );
  }
  const { investigators } = await client.listInvestigators();
  const signer = await ctx.signer();
  // A signature already there that does not verify stops us before anyone is asked anything.
  const existing = await verifiedSigners(record.action, investigators, signer.fingerprint);
  ctx.stdout.write(review(ctx, record, existing, investigators));
  const isYes =
    cmd.values.yes ||
    (await askYesNo(
      ctx,
      `approve and launch action ${id}?`,
      'read it with `mig action show ID --render json`, then pass -y',
    ));
  if (!isYes) {
    ctx.say('not approved: your signature was not sent');
    return EXIT.notFound;
  }
  // Exactly the action shown above is signed, never a copy fetched again.
  const { signature } = await coSign(record.action, signer, investigators);
  // Not interruptible: once sent, the action may launch; ctrl+c must not leave us unsure.
  const approved = await (await ctx.client({ isInterruptible: false })).addSignature(id, signature);
  ctx.stdout.write(`${outcome(approved)}\n`);
  return EXIT.ok;
}

const PendingFlags = z.object({
  limit: z.number().int().min(1).max(1000).default(100).describe('how many pending actions to look at, newest first'),
  render: z.enum(['text', 'json']).default('text').describe('text for people, json for scripts'),
});

export async function runActionPending(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(
    ctx,
    'action pending',
    'list actions waiting for a second investigator',
    PendingFlags,
    {},
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  cmd.none();
  const list = await (await ctx.client()).listActions({ status: 'pending', limit: cmd.values.limit });
  const waiting = list.actions.filter(isAwaitingApproval);
  if (cmd.values.render === 'json') {
    ctx.stdout.write(`${JSON.stringify({ actions: waiting }, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = waiting.map((r) => [
    r.action.id,
    clean(r.action.name).slice(0, 40),
    [...new Set(r.action.operations.map((op) => op.module))].join(','),
    `${r.approval?.signers.length ?? 0}/${r.approval?.required ?? 0}`,
    r.action.expireAfter,
  ]);
  printTable(ctx.stdout, ['ID', 'NAME', 'MODULES', 'SIGNED', 'EXPIRES'], rows);
  ctx.say(
    waiting.length === 0
      ? 'no action is waiting for approval'
      : `${waiting.length} action(s) waiting; review one with \`mig action approve ID\``,
  );
  return EXIT.ok;
}
