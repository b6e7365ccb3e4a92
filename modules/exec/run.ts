import { stat } from 'node:fs/promises';
import type { z } from 'zod';
import { ModuleError } from '../../protocol/errors.js';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { compileLineRegex } from '../shared/search/regex.js';
import { execute, type Execution } from './execute.js';
import { resolveIdentity, type Identity } from './identity.js';
import { ExecSettingsSchema, type ExecSettings } from './settings.js';
import type { execParams, execRow } from './spec.js';

type Params = z.output<typeof execParams>;
type Row = z.output<typeof execRow>;

/** Bytes of stdout and of stderr that are counted, hashed and matched; the rest only drained. */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** The programs' PATH unless the action sets one (and the config allows it): system directories only. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Runs the program if this host's owner allows it (ctx.settings: the agent config's
 * moduleSettings.exec) and answers one row; a refusal is a row too, with the reason. Every
 * row, run or refused or dry, is journaled.
 */
export const runExec: ModuleRun<Params, Row> = async function* (params, ctx) {
  const row = await answer(params, ctx, MAX_OUTPUT_BYTES);
  ctx.journal?.({ ...row });
  ctx.count(row.isRun ? 'ran' : row.error === undefined ? 'wouldRun' : 'refused');
  yield row;
};

function settingsOf(ctx: ModuleContext): ExecSettings {
  const parsed = ExecSettingsSchema.safeParse(ctx.settings ?? {});
  if (!parsed.success)
    throw new ModuleError('MODULE_FAILED', `agent config moduleSettings.exec: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Why this host does not run it, or undefined. Names what is refused, never a value the action gave. */
async function refusal(params: Params, settings: ExecSettings): Promise<string | undefined> {
  if (!settings.programs.includes(params.program))
    return settings.programs.length === 0
      ? 'refused: this agent allows no program (its config lists none in moduleSettings.exec.programs)'
      : `refused: ${params.program} is not on this agent's allow-list (moduleSettings.exec.programs)`;
  const names = Object.keys(params.env).filter((name) => !settings.env.includes(name));
  if (names.length > 0)
    return `refused: this agent does not let actions set ${names.join(', ')} (moduleSettings.exec.env allows ${settings.env.join(', ') || 'none'})`;
  try {
    const st = await stat(params.program);
    if (!st.isFile()) return `refused: ${params.program} is not a regular file`;
    // Anyone but its owner could swap the program the owner allowed.
    if ((st.mode & 0o022) !== 0) return `refused: ${params.program} is writable by its group or by others`;
    if (st.uid !== 0 && st.uid !== process.getuid?.())
      return `refused: ${params.program} belongs to uid ${st.uid}, who could replace it: only root or the agent's user may own it`;
  } catch (err) {
    return `refused: ${params.program} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
  return undefined;
}

function notRun(params: Params, error: string | undefined): Row {
  const row: Row = {
    program: params.program,
    isRun: false,
    isDryRun: params.dryrun,
    isTimedOut: false,
    durationMs: 0,
    stdoutBytes: 0,
    stdoutSha256: EMPTY_SHA256,
    isStdoutCut: false,
    stderrBytes: 0,
    stderrSha256: EMPTY_SHA256,
    isStderrCut: false,
  };
  return error === undefined ? row : { ...row, error };
}

/** The row for one action; `maxOutputBytes` is a parameter so tests can reach the limit cheaply. */
export async function answer(params: Params, ctx: ModuleContext, maxOutputBytes: number): Promise<Row> {
  const settings = settingsOf(ctx);
  const refused = await refusal(params, settings);
  if (refused !== undefined) return notRun(params, refused);
  const identity: Identity | string = await resolveIdentity(params.user, params.group);
  if (typeof identity === 'string') return notRun(params, `refused: ${identity}`);
  if (params.dryrun || ctx.signal.aborted) return notRun(params, ctx.signal.aborted ? 'cancelled' : undefined);
  const run = await execute({
    program: params.program,
    args: params.args,
    env: { PATH: DEFAULT_PATH, ...params.env },
    ...identity,
    timeoutMs: params.timeoutSeconds * 1000,
    maxOutputBytes,
    regex: params.match === undefined ? undefined : compileLineRegex(params.match),
    signal: ctx.signal,
  });
  return report(params, run);
}

function report(params: Params, run: Execution): Row {
  const row: Row = {
    program: params.program,
    isRun: run.exitCode !== undefined || run.signal !== undefined || run.isTimedOut,
    isDryRun: false,
    isTimedOut: run.isTimedOut,
    durationMs: run.durationMs,
    stdoutBytes: run.stdout.bytes,
    stdoutSha256: run.stdout.sha256,
    isStdoutCut: run.stdout.isCut,
    stderrBytes: run.stderr.bytes,
    stderrSha256: run.stderr.sha256,
    isStderrCut: run.stderr.isCut,
  };
  if (run.exitCode !== undefined) row.exitCode = run.exitCode;
  if (run.signal !== undefined) row.signal = run.signal;
  if (run.stdout.matches !== undefined) row.stdoutMatches = run.stdout.matches;
  if (run.stderr.matches !== undefined) row.stderrMatches = run.stderr.matches;
  if (run.error !== undefined) row.error = run.error;
  return row;
}
