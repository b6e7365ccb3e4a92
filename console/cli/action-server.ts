import { z } from 'zod';
import { ActionIdSchema } from '../../protocol/action.js';
import type { ActionRecord } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { EXIT, type CliContext } from './context.js';
import { OutputFlag } from './listing.js';
import { progressLine } from './progress.js';
import { clean, parseCommand, printTable } from './subcommand.js';

export function actionId(text: string): string {
  const parsed = ActionIdSchema.safeParse(text);
  if (!parsed.success)
    throw new UserError(
      'BAD_REQUEST',
      `${JSON.stringify(text)} is not an action id: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  return parsed.data;
}

export function describeAction(record: ActionRecord): string {
  const a = record.action;
  const rows: [string, string][] = [
    ['action', a.id],
    ['name', clean(a.name)],
    ['status', record.status + (record.reason === undefined ? '' : ` (${clean(record.reason)})`)],
    ['target', clean(a.target)],
    ['valid', `${a.validFrom} → ${a.expireAfter}`],
    ['modules', a.operations.map((op) => op.module).join(', ')],
    ['signers', record.investigators.join(', ')],
    ...(record.approval === undefined
      ? []
      : [
          ['approval', `${record.approval.signers.length} of ${record.approval.required} investigators signed`] as [
            string,
            string,
          ],
        ]),
    ['progress', progressLine(record.counters)],
    ['created', record.createdAt],
  ];
  if (record.finishedAt !== undefined) rows.push(['finished', record.finishedAt]);
  return `${rows.map(([k, v]) => `${k.padEnd(9)}${v}`).join('\n')}\n`;
}

const ShowFlags = z.object({ render: OutputFlag });

export async function runActionShow(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(ctx, 'action show ID', 'show an action and its counters', ShowFlags, {}, argv);
  if (cmd === undefined) return EXIT.ok;
  const record = await (await ctx.client()).getAction(actionId(cmd.only('ID')));
  ctx.stdout.write(cmd.values.render === 'json' ? `${JSON.stringify(record, null, 2)}\n` : describeAction(record));
  return EXIT.ok;
}

const ListFlags = z.object({
  limit: z.number().int().min(1).max(1000).default(20).describe('how many actions, newest first'),
  offset: z.number().int().min(0).default(0).describe('skip this many'),
  render: OutputFlag,
});

export async function runActionList(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(ctx, 'action list', 'list actions, newest first', ListFlags, {}, argv);
  if (cmd === undefined) return EXIT.ok;
  cmd.none();
  const { limit, offset, render } = cmd.values;
  const list = await (await ctx.client()).listActions({ limit, offset });
  if (render === 'json') {
    ctx.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = list.actions.map((r) => [
    r.action.id,
    clean(r.action.name).slice(0, 40),
    r.status,
    `${r.counters.done}/${r.counters.targeted}`,
    String(r.counters.found),
    r.createdAt,
  ]);
  printTable(ctx.stdout, ['ID', 'NAME', 'STATUS', 'DONE', 'FOUND', 'CREATED'], rows);
  ctx.say(`${list.actions.length} of ${list.total} action(s)`);
  return EXIT.ok;
}

export async function runActionCancel(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(ctx, 'action cancel ID', 'cancel a running action', z.object({}), {}, argv);
  if (cmd === undefined) return EXIT.ok;
  const record = await (await ctx.client()).cancelAction(actionId(cmd.only('ID')));
  ctx.stdout.write(`action ${record.action.id} is ${record.status}\n`);
  return EXIT.ok;
}
