import { UnsignedActionSchema, type SignedAction, type UnsignedAction } from '../../../protocol/action.js';
import { BaseError } from '../../../protocol/errors.js';
import { checkActionLimits } from '../../../protocol/check-operations.js';
import { parseExpiry } from '../../../protocol/limits.js';
import type { AnyModuleSpec } from '../../../protocol/module-spec.js';
import { TargetError, parseTarget } from '../../../protocol/target/index.js';
import { describeIssues } from '../../../protocol/zod-issues.js';
import { errorText } from '../text.js';
import { checkForm, formFields } from './form-values.js';
import type { LauncherState } from './launcher-state.js';

export interface DraftCheck {
  /** The exact action that would be signed now; undefined while anything is invalid. */
  action: UnsignedAction | SignedAction | undefined;
  /** By launcher row id (`target`, `field:paths`...): shown beside the field. */
  rowIssues: Readonly<Record<string, string>>;
  /** Everything else, shown under the form. */
  problems: readonly string[];
}

function targetIssue(target: string): string | undefined {
  try {
    parseTarget(target);
    return undefined;
  } catch (err) {
    return err instanceof TargetError ? err.message.replace(/^target: /, '') : errorText(err);
  }
}

function operationsOf(
  state: LauncherState,
  modules: ReadonlyMap<string, AnyModuleSpec>,
  rowIssues: Record<string, string>,
  problems: string[],
): UnsignedAction['operations'] | undefined {
  if (state.source.kind === 'template') return [...state.source.operations];
  const spec = modules.get(state.moduleName);
  if (spec === undefined) {
    problems.push(`module ${JSON.stringify(state.moduleName)} is not known to this console`);
    return undefined;
  }
  const check = checkForm(spec, formFields(spec), state.values);
  for (const [key, issue] of Object.entries(check.fieldIssues)) rowIssues[`field:${key}`] = issue;
  problems.push(...check.rootIssues);
  return check.params === undefined ? undefined : [{ module: spec.name, parameters: check.params }];
}

/**
 * Validates the whole draft and builds the action exactly as it would be signed at `nowMs`:
 * valid from now, expiring after the chosen duration.
 */
export function checkDraft(
  state: LauncherState,
  modules: ReadonlyMap<string, AnyModuleSpec>,
  nowMs: number,
): DraftCheck {
  if (state.source.kind === 'signed') {
    const signed = state.source.action;
    // Its window is signed: an expired action cannot be renewed without new signatures.
    if (Date.parse(signed.expireAfter) <= nowMs) {
      return {
        action: undefined,
        rowIssues: {},
        problems: [`this action expired at ${signed.expireAfter}; it needs a new one`],
      };
    }
    return { action: signed, rowIssues: {}, problems: [] };
  }
  const rowIssues: Record<string, string> = {};
  const problems: string[] = [];
  if (state.name.trim() === '') rowIssues.name = 'expected a name, got nothing';
  const target = targetIssue(state.target);
  if (target !== undefined) rowIssues.target = target;
  const expiry = parseExpiry(state.expiry);
  if (!expiry.ok) rowIssues.expiry = expiry.problem;
  const operations = operationsOf(state, modules, rowIssues, problems);
  if (operations === undefined || !expiry.ok || Object.keys(rowIssues).length > 0) {
    return { action: undefined, rowIssues, problems };
  }
  const candidate = {
    v: 1,
    id: state.actionId,
    name: state.name.trim(),
    target: state.target.trim(),
    validFrom: new Date(nowMs).toISOString(),
    expireAfter: new Date(nowMs + expiry.ms).toISOString(),
    operations,
  };
  const parsed = UnsignedActionSchema.safeParse(candidate);
  if (!parsed.success)
    return { action: undefined, rowIssues, problems: [...problems, describeIssues(parsed.error, 'action')] };
  const limit = limitProblem(parsed.data, modules, nowMs);
  if (limit !== undefined) return { action: undefined, rowIssues, problems: [...problems, limit] };
  return { action: parsed.data, rowIssues, problems };
}

/** The server's checks, before signing (a template's copied operations included): its message, word for word. */
function limitProblem(
  action: UnsignedAction,
  modules: ReadonlyMap<string, AnyModuleSpec>,
  nowMs: number,
): string | undefined {
  try {
    checkActionLimits(action, modules, new Date(nowMs));
    return undefined;
  } catch (err) {
    if (err instanceof BaseError) return err.message;
    throw err;
  }
}
