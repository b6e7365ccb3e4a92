import type { UnsignedAction } from '../../protocol/action.js';
import { newActionId } from '../../protocol/canonical.js';
import { checkActionLimits, parameterProblemText, parameterProblems } from '../../protocol/check-operations.js';
import { UserError } from '../../protocol/errors.js';
import { flagError } from '../../protocol/flag-problem.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { parseTarget } from '../../protocol/target/index.js';
import { expectedGot, valueAtPath } from '../../protocol/zod-issues.js';
import { deriveFlags } from '../flags/fields.js';
import { flagsHelp } from '../flags/help.js';
import { isHelpRequested, parseFlags } from '../flags/parse-flags.js';
import { EXIT, EXIT_STATUS_TEXT, type CliContext } from './context.js';
import {
  DEFAULT_TARGET,
  HUNT_FLAG_HINTS,
  HuntFlagsSchema,
  type HuntFlags,
  LOCAL_TARGET,
  composeTarget,
  parseDuration,
  splitHuntArgv,
} from './hunt-flags.js';
import { runLocalHunt } from './local.js';

export function huntHelp(spec: AnyModuleSpec): string {
  const examples = spec.examples.map((e) => `  ${e.command}\n      ${e.explains}`).join('\n');
  return [
    `mig ${spec.name} [flags]: ${spec.summary}`,
    '',
    `Module flags (${spec.name} ${spec.version}):`,
    flagsHelp(spec.cli.schema, spec.cli.flags),
    'Common flags:',
    flagsHelp(HuntFlagsSchema, HUNT_FLAG_HINTS),
    ...(examples === '' ? [] : ['Examples:', examples, '']),
    EXIT_STATUS_TEXT,
    '',
  ].join('\n');
}

/**
 * The flag a params issue is about. Params may be shaped differently from the flags (file's
 * `-path` becomes `searches.s1.paths`), so: a path segment named like a field (or its plural),
 * else the one field whose value holds the offending value, else none.
 */
function flagForIssue(
  spec: AnyModuleSpec,
  values: Record<string, unknown>,
  params: unknown,
  path: readonly PropertyKey[],
): string | undefined {
  const fields = deriveFlags(spec.cli.schema, spec.cli.flags);
  const flag = (f: (typeof fields)[number]): string => `-${f.names[0] ?? f.key}`;
  for (const segment of [...path].reverse()) {
    const field = fields.find((f) => [f.key, ...f.names].some((n) => n === segment || `${n}s` === segment));
    if (field !== undefined) return flag(field);
  }
  const bad = valueAtPath(params, path);
  if (bad === undefined || typeof bad === 'object') return undefined;
  const holders = fields.filter((f) => {
    const v = values[f.key];
    return v === bad || (Array.isArray(v) && v.includes(bad));
  });
  return holders.length === 1 && holders[0] !== undefined ? flag(holders[0]) : undefined;
}

/**
 * Module flags → CLI values → params, validated by the function the server and the agent use
 * (protocol/check-operations.ts), so a mistake is reported here, before signing, in the words
 * the server would use, plus the flag that holds it.
 */
export function moduleParams(spec: AnyModuleSpec, argv: readonly string[]): Record<string, unknown> {
  const subject = `mig ${spec.name}`;
  const { values, positionals } = parseFlags(spec.cli.schema, argv, spec.cli.flags, { subject });
  if (positionals.length > 0) {
    throw new UserError(
      'BAD_REQUEST',
      `${subject}: unexpected argument ${JSON.stringify(positionals[0])}; flags take the form -flag value`,
      `run \`mig ${spec.name} --help\``,
    );
  }
  const params = spec.cli.toParams(values);
  const problems = parameterProblems(spec, params).map((p) => {
    const flag = flagForIssue(spec, values, params, p.segments);
    // A flag the investigator typed is named instead of the operation path; the words after it
    // are the ones the server and agents answer with (protocol/check-operations.ts).
    return flag === undefined ? parameterProblemText(p) : `${flag}: ${expectedGot(p.expected, p.given)}`;
  });
  if (problems.length > 0) {
    throw new UserError(
      'INVALID_PARAMETERS',
      `${subject}: invalid parameters: ${problems.join('; ')}`,
      `run \`mig ${spec.name} --help\``,
    );
  }
  // The input form travels: agents parse it with the same schema (its output may hold transforms).
  return params as Record<string, unknown>;
}

/** Both halves of a hunt's argv; problems in either are reported together, like parseFlags does. */
function parseHuntArgv(
  spec: AnyModuleSpec,
  argv: readonly string[],
): { flags: HuntFlags; parameters: Record<string, unknown> } {
  const split = splitHuntArgv(argv, spec);
  const problems: UserError[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      problems.push(err);
      return undefined;
    }
  };
  const common = attempt(() =>
    parseFlags(HuntFlagsSchema, split.common, HUNT_FLAG_HINTS, { subject: `mig ${spec.name}` }),
  );
  const parameters = attempt(() => moduleParams(spec, split.module));
  const [first] = problems;
  if (first !== undefined || common === undefined || parameters === undefined) {
    if (problems.length === 1 && first !== undefined) throw first;
    throw new UserError('BAD_REQUEST', problems.map((p) => p.message).join('; '), `run \`mig ${spec.name} --help\``);
  }
  // Stray words land in the module half (see splitHuntArgv), where moduleParams refuses them.
  return { flags: common.values, parameters };
}

/** `mig <module> [flags]`: build, sign, count, launch and follow an action (or run it here with -t local). */
export async function runHunt(ctx: CliContext, spec: AnyModuleSpec, argv: readonly string[]): Promise<number> {
  if (isHelpRequested(argv)) {
    ctx.stdout.write(huntHelp(spec));
    return EXIT.ok;
  }
  const { flags, parameters } = parseHuntArgv(spec, argv);
  const operations = [{ module: spec.name, parameters }];
  const renderOpts = { render: flags.render, show: flags.show, ...(flags.out === undefined ? {} : { out: flags.out }) };
  if (flags.target === LOCAL_TARGET) {
    if (flags['target-found'] !== undefined || flags['target-notfound'] !== undefined) {
      const flag = flags['target-found'] !== undefined ? '-target-found' : '-target-notfound';
      throw flagError(flag, 'a server target', '-t local', {
        hint: 'earlier results live on a server; they cannot narrow -t local',
      });
    }
    return runLocalHunt(ctx, spec, operations, renderOpts);
  }
  if (flags.target === undefined) ctx.say(`no -t given: targeting every online agent (${DEFAULT_TARGET})`);
  const target = composeTarget(flags);
  parseTarget(target); // a typo fails here, with its column, before anything is signed
  const now = ctx.now();
  const action: UnsignedAction = {
    v: 1,
    id: newActionId(),
    name: flags['action-name'] ?? `mig ${spec.name} ${argv.join(' ')}`.slice(0, 256).trim(),
    target,
    // Agents allow for clock skew, so "now" is early enough.
    validFrom: now.toISOString(),
    expireAfter: new Date(now.getTime() + (parseDuration(flags.expiry) ?? 0)).toISOString(),
    operations,
  };
  // The server's own checks, before anything is signed.
  checkActionLimits(action, ctx.modules, now);
  // Signing (openpgp) and following (the API client) load here: -t local needs neither.
  const [{ signAction }, { launchAndFollow }] = await Promise.all([
    import('../services/action-signing.js'),
    import('./launch.js'),
  ]);
  const signed = await signAction(action, await ctx.signer());
  return launchAndFollow(ctx, signed, spec, { ...renderOpts, isConfirmed: flags.yes });
}
