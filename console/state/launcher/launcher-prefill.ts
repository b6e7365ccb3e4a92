import type { Operation, SignedAction, UnsignedAction } from '../../../protocol/action.js';
import type { IocResponse } from '../../../protocol/ioc-api.js';
import type { AnyModuleSpec } from '../../../protocol/module-spec.js';
import { valuesFromParams } from './form-values.js';
import { newLauncher, type IocProgress, type LauncherState } from './launcher-state.js';

const MAX_NAME = 256;

/**
 * A draft that repeats some operations: the module form prefilled when the form can express the
 * parameters exactly (checked by a round trip), otherwise the operations copied verbatim.
 */
export function draftFromOperations(
  modules: ReadonlyMap<string, AnyModuleSpec>,
  operations: readonly Operation[],
  opts: { name: string; target: string; from: string },
): LauncherState {
  const name = opts.name.slice(0, MAX_NAME);
  const only = operations.length === 1 ? operations[0] : undefined;
  const spec = only === undefined ? undefined : modules.get(only.module);
  const values = only === undefined || spec === undefined ? undefined : valuesFromParams(spec, only.parameters);
  if (spec !== undefined && values !== undefined) {
    return newLauncher(modules, { moduleName: spec.name, values, name, target: opts.target });
  }
  return newLauncher(modules, {
    moduleName: operations[0]?.module ?? '',
    name,
    target: opts.target,
    source: { kind: 'template', operations, from: opts.from },
  });
}

/** "Hunt again": same operations, aimed at the agents that found (or did not find) something. */
export function huntAgainDraft(
  modules: ReadonlyMap<string, AnyModuleSpec>,
  action: UnsignedAction | SignedAction,
  which: 'found' | 'notfound',
): LauncherState {
  return draftFromOperations(modules, action.operations, {
    name: `${action.name} (again, ${which})`,
    target: `${which}('${action.id}')`,
    from: `action ${action.name}`,
  });
}

/**
 * A loaded action file. Signed by someone: kept exactly as is (a new signature is the only
 * change possible). Unsigned: a template with a fresh id and validity window.
 */
export function draftFromFile(
  modules: ReadonlyMap<string, AnyModuleSpec>,
  action: UnsignedAction | SignedAction,
  path: string,
): LauncherState {
  const from = path.split(/[\\/]/).pop() ?? path;
  if ('signatures' in action && action.signatures.length > 0) {
    return { ...newLauncher(modules, { actionId: action.id }), source: { kind: 'signed', action, from } };
  }
  return draftFromOperations(modules, action.operations, { name: action.name, target: action.target, from });
}

/**
 * The `index`-th action of a translated feed, verbatim (never through the form: the server chose
 * its parameters to fit the limits), with the target and expiry the investigator set.
 */
export function iocDraft(
  modules: ReadonlyMap<string, AnyModuleSpec>,
  progress: IocProgress,
  opts: { target: string; expiry: string },
): LauncherState | undefined {
  const planned = progress.actions[progress.index];
  if (planned === undefined) return undefined;
  const { operations, name } = planned.action;
  return {
    ...newLauncher(modules, {
      moduleName: operations[0]?.module ?? '',
      name: name.slice(0, MAX_NAME),
      target: opts.target,
      source: { kind: 'template', operations, from: progress.feed, ioc: progress },
    }),
    expiry: opts.expiry,
  };
}

/** A feed's translation as the launcher's progress through it, from its first action. */
export function iocProgress(reply: IocResponse, path: string): IocProgress {
  return {
    feed: path.split(/[\\/]/).pop() ?? path,
    actions: reply.actions,
    index: 0,
    untranslated: reply.untranslated,
  };
}
