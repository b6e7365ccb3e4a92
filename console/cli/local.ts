import { hostname } from 'node:os';
import type { Operation } from '../../protocol/action.js';
import type { CommandRecord } from '../../protocol/api.js';
import type { OperationResult } from '../../protocol/messages.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { createRenderer, type RenderFormat, type ShowFilter } from '../render/renderer.js';
import { isIncomplete, verdict } from '../render/tally.js';
import { EXIT, type CliContext } from './context.js';
import { openResultsOutput } from './export-file.js';

/**
 * The results of an in-process run, shaped like a server's command record so the same renderer
 * prints them. There is no action or agent id: 'local' stands for both.
 */
export function localCommandRecord(
  results: readonly OperationResult[],
  startedAt: Date,
  finishedAt: Date,
): CommandRecord {
  return {
    id: 'local',
    actionId: 'local',
    agentId: 'local',
    agentName: hostname(),
    status: 'success',
    createdAt: startedAt.toISOString(),
    sentAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    isFound: results.some((r) => r.isFound),
    operations: [...results],
  };
}

/**
 * `-t local`: runs the module here, through the injected in-process runner (console never
 * imports agent code), with no server and no signature: nothing leaves this machine.
 * The root is `/` unless MIG_LOCAL_ROOT points elsewhere (tests, training trees).
 */
export async function runLocalHunt(
  ctx: CliContext,
  spec: AnyModuleSpec,
  operations: Operation[],
  opts: { render: RenderFormat; show: ShowFilter; out?: string },
): Promise<number> {
  const root = ctx.deps.env.MIG_LOCAL_ROOT ?? '/';
  const startedAt = ctx.now();
  // Opened first: a bad -out path must fail before a long local run, not after it.
  const output = await openResultsOutput(ctx.stdout, ctx.colors.stdout, opts.out);
  let results: OperationResult[] | undefined;
  try {
    // Results are printed together at the end: one local "agent" answers once, like a remote one.
    results = await ctx.deps.runLocal(operations, { root, signal: ctx.interrupt, onResult: () => undefined });
  } catch (err) {
    if (!ctx.interrupt.aborted) throw err;
  } finally {
    if (results === undefined || ctx.interrupt.aborted) await output.finish(() => undefined);
  }
  if (results === undefined || ctx.interrupt.aborted) return EXIT.interrupted;
  const record = localCommandRecord(results, startedAt, ctx.now());
  const renderer = createRenderer(opts.render, spec, output.stream, {
    show: opts.show,
    palette: output.palette,
    warn: (line) => ctx.warn(line),
  });
  renderer.command(record);
  renderer.end();
  await output.finish((line) => ctx.say(line));
  const failed = results.filter((r) => r.error !== undefined);
  for (const r of failed) ctx.sayError(`${r.module} failed: ${r.error?.code ?? ''} ${r.error?.message ?? ''}`);
  const rows = results.reduce((n, r) => n + r.rows.length, 0);
  const tally = renderer.tally();
  ctx.say(`local run on ${record.agentName} (root ${root}): ${rows} row${rows === 1 ? '' : 's'}, ${verdict(tally)}`);
  if (failed.length === results.length && results.length > 0) return EXIT.error;
  if (record.isFound === true) return EXIT.found;
  return isIncomplete(tally) ? EXIT.incomplete : EXIT.notFound;
}
