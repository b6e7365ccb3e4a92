import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isAwaitingApproval } from '../../protocol/api.js';
import { checkActionLimits } from '../../protocol/check-operations.js';
import { UserError } from '../../protocol/errors.js';
import { pathProblem } from '../../modules/shared/param-checks.js';
import { parseTarget } from '../../protocol/target/index.js';
import { Attribution } from '../import/ioc/attribute.js';
import type { IndicatorSet } from '../import/ioc/indicator.js';
import { planIocActions, type PlannedAction } from '../import/ioc/plan.js';
import { readFeed, type FeedFormat } from '../import/ioc/read-feed.js';
import { signAction } from '../services/action-signing.js';
import { EXIT, isTty, type CliContext } from './context.js';
import { openResultsOutput } from './export-file.js';
import { writeActionFile } from './action-files.js';
import { followAction, huntExit, summaryLine } from './follow.js';
import { DEFAULT_TARGET, HuntFlagsSchema, parseDuration } from './hunt-flags.js';
import { createIocRenderer } from './ioc-render.js';
import { pollMs } from './launch.js';
import { createProgress } from './progress.js';
import { parseCommand } from './subcommand.js';

/** Where a sweep looks when no -path is given: what attackers write to, not /proc, /sys or /dev. */
export const DEFAULT_IOC_PATHS = [
  '/bin',
  '/sbin',
  '/usr',
  '/lib',
  '/etc',
  '/home',
  '/root',
  '/tmp',
  '/var',
  '/opt',
  '/srv',
  '/dev/shm',
];

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

/** The feed file → indicators, with every untranslatable one said on stderr. */
async function loadFeed(ctx: CliContext, file: string, format: 'auto' | FeedFormat): Promise<IndicatorSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError('BAD_REQUEST', `cannot read ${file}: ${(err as Error).message}`);
  }
  let read;
  try {
    read = readFeed(text, file, ctx.now(), format === 'auto' ? undefined : format);
  } catch (err) {
    throw new UserError(
      'BAD_REQUEST',
      (err as Error).message,
      'give a STIX 2.1 bundle, a YARA rule file or a plain list (--format)',
    );
  }
  const { set } = read;
  const kinds = new Map<string, number>();
  for (const i of set.indicators) kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
  if (set.conjunctions.length > 0) kinds.set('file conjunction', set.conjunctions.length);
  const summary = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing to hunt';
  ctx.say(
    `${file} (${read.format}): ${summary}${set.untranslated.length > 0 ? `; ${set.untranslated.length} not translated:` : ''}`,
  );
  for (const u of set.untranslated)
    ctx.warn(
      `not hunted: ${u.id}${u.name !== '' && u.name !== u.id ? ` "${u.name}"` : ''}: ${u.reason}${u.pattern === '' || u.pattern === u.name ? '' : ` (${u.pattern.slice(0, 160)})`}`,
    );
  if (set.indicators.length === 0 && set.conjunctions.length === 0)
    throw new UserError(
      'BAD_REQUEST',
      `${file}: no indicator could be translated into a hunt`,
      'see the reasons above',
    );
  return set;
}

function plan(ctx: CliContext, set: IndicatorSet, file: string, flags: z.output<typeof FeedFlags>): PlannedAction[] {
  const target = flags.target ?? DEFAULT_TARGET;
  if (flags.target === undefined) ctx.say(`no -t given: targeting every online agent (${DEFAULT_TARGET})`);
  parseTarget(target); // a typo fails here, before anything is signed
  const now = ctx.now();
  const planned = planIocActions(set, {
    paths: flags.path ?? DEFAULT_IOC_PATHS,
    target,
    expiryMs: parseDuration(flags.expiry) ?? 0,
    now,
    name: flags['action-name'] ?? `mig ioc hunt ${file}`,
  });
  for (const p of planned) checkActionLimits(p.action, ctx.modules, now);
  ctx.say(
    `${planned.length} action${planned.length === 1 ? '' : 's'}: ${planned.map((p) => `${p.action.operations.map((o) => o.module).join('+')} (${p.indicators.length + p.conjunctions.length} indicators)`).join(', ')}`,
  );
  return planned;
}

/** `mig ioc import FEED -o DIR`: unsigned action files for `mig action sign` / `launch`, and the indicator map. */
export async function runIocImport(ctx: CliContext, argv: readonly string[]): Promise<number> {
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
  const set = await loadFeed(ctx, file, cmd.values.format);
  const planned = plan(ctx, set, file, cmd.values);
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
      indicators: p.indicators.map(({ rules: _rules, ...i }) => i),
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
  const set = await loadFeed(ctx, file, flags.format);
  const planned = plan(ctx, set, file, flags);
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
