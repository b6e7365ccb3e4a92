import type { SignedAction } from '../../protocol/action.js';
import { isAwaitingApproval, type ActionRecord } from '../../protocol/api.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { createRenderer, type RenderFormat, type ShowFilter } from '../render/renderer.js';
import { sleep } from '../services/events.js';
import { EXIT, isTty, type CliContext } from './context.js';
import { followAction, huntExit, summaryLine } from './follow.js';
import { createProgress } from './progress.js';
import { openResultsOutput } from './export-file.js';

export interface LaunchOptions {
  render: RenderFormat;
  show: ShowFilter;
  /** -y: no countdown. */
  isConfirmed: boolean;
  /** -out: results to this file instead of stdout. */
  out?: string;
}

const COUNTDOWN_S = 3;
const DEFAULT_POLL_MS = 1_000;

/** A last chance to change one's mind on a terminal; false when ctrl+c was pressed. */
async function countdown(ctx: CliContext): Promise<boolean> {
  for (let s = COUNTDOWN_S; s > 0; s--) {
    ctx.stderr.write(`\r\u001b[2K${ctx.colors.stderr.attention(`launching in ${s}s`)} (ctrl+c to cancel)`);
    await sleep(1_000, ctx.interrupt);
    if (ctx.interrupt.aborted) {
      ctx.stderr.write('\n');
      return false;
    }
  }
  ctx.stderr.write('\r\u001b[2K');
  return true;
}

/**
 * The server holds the action for the two-person rule. We do not follow it: a second
 * investigator may take longer than anyone wants a shell to hang. Exit 0: it was accepted.
 */
function waitingForApproval(ctx: CliContext, record: ActionRecord): number {
  const missing = (record.approval?.required ?? 2) - (record.approval?.signers.length ?? 1);
  const who = missing === 1 ? 'a second investigator' : `${missing} more investigators`;
  ctx.say(`action ${record.action.id} (${record.action.name}) is pending approval: it runs a response module`);
  ctx.say(`waiting for ${who}: mig action approve ${record.action.id}`);
  return EXIT.ok;
}

export function pollMs(env: NodeJS.ProcessEnv): number {
  const value = Number(env.MIG_POLL_MS);
  return Number.isInteger(value) && value >= 50 ? value : DEFAULT_POLL_MS;
}

/**
 * Counts the agents a signed action targets, gives a countdown on a terminal, launches it and
 * follows it to the end. Exit status: 0 found something, 1 found nothing (or matched no agent),
 * 3 found nothing but the search was incomplete, 2 the action was invalid, 130 interrupted.
 */
export async function launchAndFollow(
  ctx: CliContext,
  action: SignedAction,
  spec: AnyModuleSpec,
  opts: LaunchOptions,
): Promise<number> {
  const client = await ctx.client();
  const count = await client.countAgents(action.target);
  if (count.total === 0) {
    ctx.say(`no agent matches the target ${JSON.stringify(action.target)}: nothing launched`);
    return EXIT.notFound;
  }
  ctx.say(
    `${count.total} ${count.total === 1 ? 'agent matches' : 'agents match'} the target ` +
      `(${count.online} online, ${count.idle} idle, ${count.offline} offline)`,
  );
  // Opened before anything is launched: an -out path that cannot be written must not cost a launch.
  const output = await openResultsOutput(ctx.stdout, ctx.colors.stdout, opts.out);
  if (!opts.isConfirmed && isTty(ctx.stderr) && !(await countdown(ctx))) {
    await output.finish(() => undefined);
    ctx.say('cancelled: nothing launched');
    return EXIT.interrupted;
  }
  const startedMs = ctx.now().getTime();
  // Not interruptible: once sent, the action may exist on the server, so ctrl+c must cancel it, not drop it.
  const initial = await (await ctx.client({ isInterruptible: false })).createAction(action);
  if (isAwaitingApproval(initial)) {
    await output.finish(() => undefined);
    return waitingForApproval(ctx, initial);
  }
  ctx.say(`launched action ${action.id} (${action.name})`);
  const renderer = createRenderer(opts.render, spec, output.stream, {
    show: opts.show,
    palette: output.palette,
    warn: (line) => ctx.warn(line),
  });
  const progress = createProgress(ctx.stderr, { isTty: isTty(ctx.stderr), now: () => ctx.now() });
  progress.update(initial.counters);
  let result;
  try {
    result = await followAction(ctx, { client, initial, renderer, progress, pollMs: pollMs(ctx.deps.env) });
  } finally {
    progress.finish();
    renderer.end();
    await output.finish((line) => ctx.say(line));
  }
  const tally = renderer.tally();
  ctx.say(summaryLine(result.record, tally, ctx.now().getTime() - startedMs));
  if (result.isInterrupted) return EXIT.interrupted;
  if (result.record.status === 'invalid') return EXIT.error;
  return huntExit(result.record, tally);
}
