import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isAwaitingApproval } from '../../protocol/api.js';
import { BaseError, UserError } from '../../protocol/errors.js';
import { pathProblem } from '../../modules/shared/param-checks.js';
import { parseTarget } from '../../protocol/target/index.js';
import { Attribution } from '../../intel/ioc/attribute.js';
import type { IndicatorSet } from '../../intel/ioc/indicator.js';
import type { PlannedAction } from '../../intel/ioc/plan.js';
import {
  DEFAULT_IOC_PATHS,
  NothingToHuntError,
  plannedForWire,
  summarizeSet,
  translateFeed,
  type Translation,
} from '../../intel/ioc/translate.js';
import { signAction } from '../services/action-signing.js';
import { EXIT, isTty, type CliContext } from './context.js';
import { openResultsOutput } from './export-file.js';
import { writeActionFile } from './action-files.js';
import { followAction, huntExit, summaryLine } from './follow.js';
import { DEFAULT_TARGET, HuntFlagsSchema } from './hunt-flags.js';
import { createIocRenderer } from './ioc-render.js';
import { pollMs } from './launch.js';
import { createProgress } from './progress.js';
import { parseCommand } from './subcommand.js';

const AbsolutePath = z.string().superRefine((p, ctx) => {
  const problem = pathProblem(p);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const FeedFlags = z.object({
  path: z
    .array(AbsolutePath)
    .max(64)
    .optional()
    .describe(`where file and YARA indicators are searched, repeatable (default: ${DEFAULT_IOC_PATHS.join(' ')})`),
  format: z
    .enum(['auto', 'stix', 'yara', 'list'])
    .default('auto')
    .describe(
      'the feed: a STIX 2.1 bundle, a YARA rule file, or a plain list (one hash, IP or file name per line); auto tells them apart',
    ),
  target: HuntFlagsSchema.shape.target,
  expiry: HuntFlagsSchema.shape.expiry,
  'action-name': HuntFlagsSchema.shape['action-name'],
});
const HuntFlags = FeedFlags.extend({
  show: HuntFlagsSchema.shape.show,
  render: HuntFlagsSchema.shape.render,
  yes: HuntFlagsSchema.shape.yes,
  out: HuntFlagsSchema.shape.out,
});
const ImportFlags = FeedFlags.extend({
  output: z.string().min(1).describe('directory for the action files (created if missing)'),
});
const HINTS = { target: { alias: 't' }, expiry: { alias: 'e' }, yes: { alias: 'y' }, output: { alias: 'o' } };

/** Every indicator the feed held that cannot become a hunt, said on stderr with its reason. */
function reportFeed(ctx: CliContext, file: string, format: string, set: IndicatorSet): void {
  ctx.say(
    `${file} (${format}): ${summarizeSet(set)}${set.untranslated.length > 0 ? `; ${set.untranslated.length} not translated:` : ''}`,
  );
  for (const u of set.untranslated)
    ctx.warn(
      `not hunted: ${u.id}${u.name !== '' && u.name !== u.id ? ` "${u.name}"` : ''}: ${u.reason}${u.pattern === '' || u.pattern === u.name ? '' : ` (${u.pattern.slice(0, 160)})`}`,
    );
}

/** The feed file → unsigned actions (intel/ioc/translate.ts), checked against the module specs. */
async function loadAndPlan(
  ctx: CliContext,
  file: string,
  flags: z.output<typeof FeedFlags>,
): Promise<{ set: IndicatorSet; planned: PlannedAction[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError('BAD_REQUEST', `cannot read ${file}: ${(err as Error).message}`);
  }
  const target = flags.target ?? DEFAULT_TARGET;
  let translation: Translation;
  try {
    parseTarget(target); // a typo fails here, before anything is signed
    translation = translateFeed({
      text,
      source: file,
      format: flags.format === 'auto' ? undefined : flags.format,
      target,
      paths: flags.path,
      expiry: flags.expiry,
      name: flags['action-name'],
      now: ctx.now(),
      specs: ctx.modules,
    });
  } catch (err) {
    if (err instanceof NothingToHuntError) {
      reportFeed(ctx, file, flags.format, err.set);
      throw new UserError('BAD_REQUEST', err.message, 'see the reasons above');
    }
    if (err instanceof BaseError) throw err;
    throw new UserError(
      'BAD_REQUEST',
      (err as Error).message,
      'give a STIX 2.1 bundle, a YARA rule file or a plain list (--format)',
    );
  }
  const { set, planned, format } = translation;
  reportFeed(ctx, file, format, set);
  if (flags.target === undefined) ctx.say(`no -t given: targeting every online agent (${DEFAULT_TARGET})`);
  ctx.say(
    `${planned.length} action${planned.length === 1 ? '' : 's'}: ${planned.map((p) => `${p.action.operations.map((o) => o.module).join('+')} (${p.indicators.length + p.conjunctions.length} indicators)`).join(', ')}`,
  );
  return { set, planned };
}

/** `mig ioc import FEED -o DIR`: unsigned action files for `mig action sign` / `launch`, and the indicator map. */
export async function runIocImport(ctx: CliContext, argv: readonly string[]): Promise<number> {
  // Alike on purpose (duplicates): each command states its usage, summary, flags and hints to the
  // one parser (parseCommand), Prettier laying the call out the same way every time.
  const cmd = parseCommand(
    ctx,
    'ioc import FEED -o DIR',
    'turn a threat-intel feed into unsigned action files',
    ImportFlags,
    HINTS,
    argv,
  );
  if (cmd === undefined) return EXIT.ok;
  const file = cmd.only('FEED');
  const { set, planned } = await loadAndPlan(ctx, file, cmd.values);
  const dir = cmd.values.output;
  await mkdir(dir, { recursive: true });
  for (const [i, p] of planned.entries()) {
    // Unsigned: an empty signature list, ready for `mig action sign`.
    await writeActionFile(join(dir, `ioc-${i + 1}.json`), { ...p.action, signatures: [] });
  }
  // Which indicator each action hunts, and what was left out: the record of what the hunt covers.
  const map = {
    feed: file,
    actions: planned.map((p, i) => ({
      file: `ioc-${i + 1}.json`,
      actionId: p.action.id,
      indicators: plannedForWire(p).indicators,
      conjunctions: p.conjunctions,
    })),
    untranslated: set.untranslated,
  };
  await writeFile(join(dir, 'indicators.json'), `${JSON.stringify(map, null, 2)}\n`, { mode: 0o644 });
  ctx.say(
    `wrote ${planned.length} action file${planned.length === 1 ? '' : 's'} and indicators.json to ${dir}; next: mig action sign ${join(dir, 'ioc-1.json')}, then mig action launch`,
  );
  return EXIT.ok;
}

/** `mig ioc hunt FEED`: plan, sign, launch every action and print which indicator hit where. */
export async function runIocHunt(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(ctx, 'ioc hunt FEED', 'hunt a threat-intel feed across the fleet', HuntFlags, HINTS, argv);
  if (cmd === undefined) return EXIT.ok;
  const file = cmd.only('FEED');
  const flags = cmd.values;
  const { planned } = await loadAndPlan(ctx, file, flags);
  const client = await ctx.client();
  const count = await client.countAgents(planned[0]?.action.target ?? DEFAULT_TARGET);
  if (count.total === 0) {
    ctx.say('no agent matches the target: nothing launched');
    return EXIT.notFound;
  }
  ctx.say(
    `${count.total} ${count.total === 1 ? 'agent matches' : 'agents match'} the target (${count.online} online, ${count.idle} idle, ${count.offline} offline)`,
  );
  const signer = await ctx.signer();
  const signed = [];
  for (const p of planned) signed.push(await signAction(p.action, signer));
  const output = await openResultsOutput(ctx.stdout, ctx.colors.stdout, flags.out);
  const attributions = new Map(planned.map((p) => [p.action.id, new Attribution(p)]));
  const renderer = createIocRenderer(flags.render, output.stream, {
    show: flags.show,
    palette: output.palette,
    warn: (line) => ctx.warn(line),
    attributionOf: (id) => attributions.get(id),
  });
  const startedMs = ctx.now().getTime();
  const records = [];
  try {
    // Launch them all first, so they run side by side on the agents; then follow each to its end.
    const writer = await ctx.client({ isInterruptible: false });
    const launched = [];
    for (const action of signed) {
      const initial = await writer.createAction(action);
      if (isAwaitingApproval(initial))
        throw new UserError(
          'BAD_REQUEST',
          `action ${action.id} is held for approval; IOC hunts use read-only modules only`,
        );
      ctx.say(`launched action ${action.id} (${action.name})`);
      launched.push(initial);
    }
    for (const initial of launched) {
      const progress = createProgress(ctx.stderr, { isTty: isTty(ctx.stderr), now: () => ctx.now() });
      progress.update(initial.counters);
      try {
        const result = await followAction(ctx, { client, initial, renderer, progress, pollMs: pollMs(ctx.deps.env) });
        records.push(result.record);
        if (result.isInterrupted) return EXIT.interrupted;
      } finally {
        progress.finish();
      }
    }
  } finally {
    renderer.end();
    await output.finish((line) => ctx.say(line));
  }
  const elapsedMs = ctx.now().getTime() - startedMs;
  for (const record of records)
    ctx.say(
      `${records.length > 1 ? `${record.action.name}: ` : ''}${summaryLine(record, renderer.tallyOf(record.action.id), elapsedMs)}`,
    );
  const exits = records.map((r) => (r.status === 'invalid' ? EXIT.error : huntExit(r, renderer.tallyOf(r.action.id))));
  if (exits.includes(EXIT.error)) return EXIT.error;
  if (exits.includes(EXIT.found)) return EXIT.found;
  return exits.includes(EXIT.incomplete) ? EXIT.incomplete : EXIT.notFound;
}
