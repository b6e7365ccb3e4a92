import { z } from 'zod';
import type { ActionRecord, CommandRecord } from '../../protocol/api.js';
import { verifyStoredAnswer } from '../../protocol/answer-check.js';
import { UserError } from '../../protocol/errors.js';
import { flagError } from '../../protocol/flag-problem.js';
import { createRenderer, RENDER_FORMATS, type Renderer, type Verification } from '../render/renderer.js';
import { escapeControl } from '../render/format.js';
import type { ApiClient } from '../services/api-client.js';
import { actionId } from './action-server.js';
import { EXIT, type CliContext } from './context.js';
import { defaultExportPath, openResultsOutput } from './export-file.js';
import { TERMINAL_ACTION_STATUSES, huntExit, summaryLine } from './follow.js';
import { parseCommand } from './subcommand.js';

const PAGE_SIZE = 500;

const ResultsFlags = z.object({
  show: z.enum(['found', 'notfound', 'all']).default('found').describe('which answers to print (all adds failures)'),
  render: z.enum(RENDER_FORMATS).default('text').describe('output format'),
  verify: z
    .boolean()
    .default(false)
    .describe("check every answer's agent signature without trusting the server; exit 4 when one is bad"),
  strict: z
    .boolean()
    .default(false)
    .describe('with --verify: unsigned answers fail too (also written --verify=strict)'),
  out: z.string().min(1).optional().describe('write the results to this file instead of stdout; its path is printed'),
  export: z
    .boolean()
    .default(false)
    .describe('write the results to a new file in $MIG_HOME/exports instead of stdout; its path is printed'),
});

/** `--verify=strict` reads naturally but is not a boolean: it is `--verify --strict`. */
function expandVerifyStrict(argv: readonly string[]): string[] {
  return argv.flatMap((arg) => (/^--?verify=strict$/.test(arg) ? ['--verify', '--strict'] : [arg]));
}

/**
 * A verdict for one answer. Commands the server closed itself (expired, or cancelled before
 * the agent answered) carry no agent answer and nothing to check: no verdict.
 */
export function verdictOf(cmd: CommandRecord): { verification: Verification | undefined; reason?: string } {
  const isServerClosed =
    (cmd.status === 'expired' || cmd.status === 'cancelled') && (cmd.operations ?? []).length === 0;
  if (cmd.agentAnswer === undefined && isServerClosed) return { verification: undefined };
  const check = verifyStoredAnswer(cmd);
  if (check.ok) return { verification: 'verified' };
  if (check.code === 'UNSIGNED') return { verification: 'unsigned', reason: check.reason };
  return { verification: 'bad', reason: `${check.reason} (${check.code})` };
}

async function renderAllPages(client: ApiClient, id: string, renderer: Renderer, ctx: CliContext): Promise<void> {
  for (let offset = 0; ; offset += PAGE_SIZE) {
    if (ctx.interrupt.aborted) return;
    const page = await client.listCommands(id, { limit: PAGE_SIZE, offset });
    for (const cmd of page.commands) renderer.command(cmd);
    if (page.commands.length < PAGE_SIZE || offset + PAGE_SIZE >= page.total) return;
  }
}

function verificationSummary(counts: Record<Verification, number>): string {
  return `verification: ${counts.verified} verified, ${counts.unsigned} unsigned, ${counts.bad} bad`;
}

/** `mig action results ID`: any stored action's answers, paged through the API, rendered like a hunt's. */
export async function runActionResults(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const usage = 'action results ID';
  const cmd = parseCommand(ctx, usage, "print a stored action's results", ResultsFlags, {}, expandVerifyStrict(argv));
  if (cmd === undefined) return EXIT.ok;
  const id = actionId(cmd.only('ID'));
  const { show, render, verify, strict } = cmd.values;
  if (strict && !verify) throw flagError('--strict', 'it with --verify', 'it alone', { hint: 'write --verify=strict' });
  const client = await ctx.client();
  const record: ActionRecord = await client.getAction(id);
  const module = record.action.operations[0]?.module ?? '';
  const spec = ctx.modules.get(module);
  if (spec === undefined)
    throw new UserError('UNKNOWN_MODULE', `action ${id} runs module ${module}, which this console does not know`);
  const out =
    cmd.values.out ??
    (cmd.values.export ? defaultExportPath(ctx.home, id, render === 'text' ? 'txt' : render, ctx.now()) : undefined);
  const output = await openResultsOutput(ctx.stdout, ctx.colors.stdout, out);
  const verifyOne = (c: CommandRecord): Verification | undefined => {
    const { verification, reason } = verdictOf(c);
    if (verification === 'bad')
      ctx.sayError(escapeControl(`BAD answer from ${c.agentName} (${c.agentId}): ${reason ?? ''}`));
    return verification;
  };
  const renderer = createRenderer(render, spec, output.stream, {
    show,
    palette: output.palette,
    warn: (line) => ctx.warn(line),
    ...(verify ? { verify: verifyOne } : {}),
  });
  try {
    await renderAllPages(client, id, renderer, ctx);
  } finally {
    renderer.end();
    await output.finish((line) => ctx.say(line));
  }
  if (ctx.interrupt.aborted) return EXIT.interrupted;
  const tally = renderer.tally();
  if (!TERMINAL_ACTION_STATUSES.has(record.status))
    ctx.say(`action ${id} is still ${record.status}: these are the answers so far`);
  ctx.say(summaryLine(record, tally));
  if (!verify) return huntExit(record, tally);
  const counts = tally.verification;
  const line = verificationSummary(counts);
  if (counts.bad > 0 || (strict && counts.unsigned > 0)) {
    ctx.sayError(
      `${line}: ${counts.bad > 0 ? 'some answers are not what their agents signed' : 'unsigned answers fail --verify=strict'}`,
    );
    return EXIT.unverified;
  }
  ctx.say(
    counts.unsigned > 0 ? `${line} (unsigned: agents that do not sign yet; --verify=strict fails on them)` : line,
  );
  return huntExit(record, tally);
}
