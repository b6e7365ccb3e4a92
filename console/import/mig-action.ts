import { ACTION_VERSION, UnsignedActionSchema, type Operation, type UnsignedAction } from '../../protocol/action.js';
import { newActionId } from '../../protocol/canonical.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { UserError } from '../../protocol/errors.js';
import { TargetError, parseTarget } from '../../protocol/target/index.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { translateMigTarget } from './mig-target.js';
import { MigActionSchema, READ_KEYS, describeMig, isZeroTime, type MigAction } from './mig-schema.js';
import { resolveOperation } from './operations.js';

export interface ImportMigOptions {
  now: Date;
  /** Our target, used instead of translating MIG's. */
  target?: string;
  /** Validity when the file sets none (or one already past). Default one hour. */
  expiryMs?: number;
  /** Drop operations whose module does not exist here, with a warning, instead of failing. */
  skipUnsupported?: boolean;
  /** The modules that exist here; default the registry. */
  modules?: ReadonlyMap<string, AnyModuleSpec>;
}

export interface ImportedAction {
  /** Ready to sign: nothing of MIG's signatures or server state carries over. */
  action: UnsignedAction;
  /** Every conversion made and everything ignored, for the investigator to read before signing. */
  warnings: string[];
}

export const DEFAULT_IMPORT_EXPIRY_MS = 60 * 60 * 1000;

function parseMig(raw: unknown): MigAction {
  const parsed = MigActionSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError(
      'BAD_REQUEST',
      `not a MIG action: ${describeIssues(parsed.error)}`,
      'expected a MIG action file (JSON, syntaxversion 2)',
    );
  }
  if (parsed.data.syntaxversion !== undefined && parsed.data.syntaxversion !== 2) {
    throw new UserError(
      'BAD_REQUEST',
      `MIG action syntaxversion ${parsed.data.syntaxversion} is not supported, expected 2`,
      'export the action again from a MIG console of syntaxversion 2',
    );
  }
  return parsed.data;
}

function ignoredFields(mig: MigAction, warnings: string[]): void {
  const ignored = Object.keys(mig)
    .filter((key) => !READ_KEYS.has(key))
    .sort();
  if (ignored.length > 0)
    warnings.push(`ignored MIG fields: ${ignored.join(', ')} (server state and MIG's signatures do not carry over)`);
  if (mig.syntaxversion === undefined) warnings.push('no syntaxversion: read as syntaxversion 2');
}

function resolveTarget(mig: MigAction, explicit: string | undefined, warnings: string[]): string {
  try {
    if (explicit !== undefined) {
      parseTarget(explicit);
      return explicit;
    }
    if (mig.target === undefined || mig.target.trim() === '') {
      throw new UserError('BAD_REQUEST', 'the MIG action has no target', "pass the target with -t '<target>'");
    }
    const target = translateMigTarget(mig.target);
    if (target !== mig.target)
      warnings.push(`target: translated ${JSON.stringify(mig.target)} to ${JSON.stringify(target)}`);
    return target;
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    const hint =
      explicit === undefined ? "write the target in our language and pass it with -t '<target>'" : 'fix the -t target';
    throw new UserError(err.code, err.message, hint, { cause: err });
  }
}

function parseTime(field: string, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new UserError(
      'BAD_REQUEST',
      `${field}: expected an RFC 3339 time, got ${JSON.stringify(value)}`,
      'remove it to use the defaults',
    );
  }
  return date;
}

/** MIG's window if it is still ahead of us; otherwise now until now + expiry. */
function resolveWindow(
  mig: MigAction,
  opts: ImportMigOptions,
  warnings: string[],
): { validFrom: string; expireAfter: string } {
  const expiryMs = opts.expiryMs ?? DEFAULT_IMPORT_EXPIRY_MS;
  const from = isZeroTime(mig.validfrom) ? opts.now : parseTime('validfrom', mig.validfrom ?? '');
  let until = isZeroTime(mig.expireafter)
    ? new Date(from.getTime() + expiryMs)
    : parseTime('expireafter', mig.expireafter ?? '');
  let start = from;
  if (until.getTime() <= opts.now.getTime()) {
    // A re-run of an old hunt is the usual reason to import: a window already past would be refused by every agent.
    warnings.push(
      `expireafter ${until.toISOString()} is already past: valid from now for ${Math.round(expiryMs / 60_000)} minutes instead`,
    );
    start = opts.now;
    until = new Date(opts.now.getTime() + expiryMs);
  }
  if (until.getTime() <= start.getTime()) {
    throw new UserError(
      'BAD_REQUEST',
      `expireafter ${until.toISOString()} is not after validfrom ${start.toISOString()}`,
      'fix or remove the times',
    );
  }
  return { validFrom: start.toISOString(), expireAfter: until.toISOString() };
}

function resolveThreat(mig: MigAction, warnings: string[]): UnsignedAction['threat'] {
  if (mig.threat === undefined) return undefined;
  const { level, family, type, ref, ...rest } = mig.threat;
  if (Object.keys(rest).length > 0) warnings.push(`threat: ignored fields ${Object.keys(rest).sort().join(', ')}`);
  const threat = Object.fromEntries(
    Object.entries({ level, family, type, ref }).filter(([, v]) => v !== undefined && v !== ''),
  );
  return Object.keys(threat).length === 0 ? undefined : threat;
}

function refusalHint(hasInvalid: boolean, hasUnsupported: boolean): string {
  if (!hasUnsupported) return 'fix these parameters in the MIG file';
  if (!hasInvalid) return 'remove these operations or pass --skip-unsupported';
  return 'fix these parameters in the MIG file, and remove the operations of missing modules or pass --skip-unsupported';
}

function resolveOperations(mig: MigAction, opts: ImportMigOptions, warnings: string[]): Operation[] {
  const outcomes = mig.operations.map((op, i) => resolveOperation(op, i, opts.modules));
  const isSkipping = opts.skipUnsupported === true;
  const hasInvalid = outcomes.some((o) => o.kind === 'invalid');
  const isRefusingUnsupported = !isSkipping && outcomes.some((o) => o.kind === 'unsupported');
  if (hasInvalid || isRefusingUnsupported) {
    // In operation order, so each line reads next to the file it refers to.
    const problems = outcomes.flatMap((o) =>
      o.kind === 'invalid' ? o.problems : o.kind === 'unsupported' && !isSkipping ? [o.problem] : [],
    );
    throw new UserError(
      hasInvalid ? 'INVALID_PARAMETERS' : 'UNKNOWN_MODULE',
      problems.join('\n'),
      refusalHint(hasInvalid, isRefusingUnsupported),
    );
  }
  warnings.push(...outcomes.flatMap((o) => (o.kind === 'unsupported' ? [`skipped ${o.problem}`] : [])));
  warnings.push(...outcomes.flatMap((o) => (o.kind === 'ok' ? o.warnings : [])));
  const operations = outcomes.flatMap((o) => (o.kind === 'ok' ? [o.operation] : []));
  if (operations.length === 0) {
    throw new UserError(
      'UNKNOWN_MODULE',
      'no operation is left to run after skipping the unsupported ones',
      'this action cannot run here',
    );
  }
  return operations;
}

/**
 * Reads an action file in MIG's own format and returns an unsigned action of ours. Nothing is
 * silently dropped: conversions and ignored fields are warnings; modules that do not exist here
 * (or only make sense inside MIG, like its upgrade protocol's) fail the import, all listed,
 * unless skipUnsupported; bad parameters always fail it, each problem naming the operation,
 * the module and the field.
 */
export function importMigAction(raw: unknown, opts: ImportMigOptions): ImportedAction {
  const warnings: string[] = [];
  const mig = parseMig(raw);
  ignoredFields(mig, warnings);
  const target = resolveTarget(mig, opts.target, warnings);
  const operations = resolveOperations(mig, opts, warnings);
  const description = describeMig(mig.description);
  const threat = resolveThreat(mig, warnings);
  const action = {
    v: ACTION_VERSION,
    id: newActionId(),
    name: mig.name,
    target,
    ...resolveWindow(mig, opts, warnings),
    operations,
    ...(description === undefined ? {} : { description }),
    ...(threat === undefined ? {} : { threat }),
  };
  const checked = UnsignedActionSchema.safeParse(action);
  if (!checked.success) {
    throw new UserError(
      'BAD_REQUEST',
      `the imported action is not valid: ${describeIssues(checked.error)}`,
      'shorten or fix these fields in the MIG file',
    );
  }
  return { action: checked.data, warnings };
}
