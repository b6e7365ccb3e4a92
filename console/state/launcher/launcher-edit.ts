import type { AnyModuleSpec } from '../../../protocol/module-spec.js';
import { formFields, initialValues } from './form-values.js';
import { focusedRow, launcherRows, type LauncherState } from './launcher-state.js';

/** Pure edits of the launcher form, one per key command. */

export function moveFocus(
  state: LauncherState,
  modules: ReadonlyMap<string, AnyModuleSpec>,
  move: 'up' | 'down' | 'top' | 'bottom',
): LauncherState {
  const last = launcherRows(state, modules).length - 1;
  const focus = { up: state.focus - 1, down: state.focus + 1, top: 0, bottom: last }[move];
  const clamped = Math.max(0, Math.min(last, focus));
  return clamped === state.focus && !state.isEditing ? state : { ...state, focus: clamped, isEditing: false };
}

/** Switching module starts a fresh form for it (the old values mean nothing to another module). */
export function selectModule(
  state: LauncherState,
  modules: ReadonlyMap<string, AnyModuleSpec>,
  name: string,
): LauncherState {
  const spec = modules.get(name);
  if (spec === undefined) return state;
  const isDefaultName = state.name === '' || state.name === state.moduleName;
  return {
    ...state,
    moduleName: name,
    values: initialValues(formFields(spec)),
    name: isDefaultName ? name : state.name,
    source: { kind: 'form' },
  };
}

function cycle<T>(list: readonly T[], current: T, delta: number): T | undefined {
  if (list.length === 0) return undefined;
  const i = list.indexOf(current);
  return list[(((i < 0 ? 0 : i + delta) % list.length) + list.length) % list.length];
}

/** Left/right: the next module on the module row, the next option on an enum row. */
export function cycleFocused(
  state: LauncherState,
  modules: ReadonlyMap<string, AnyModuleSpec>,
  delta: 1 | -1,
): LauncherState {
  const row = focusedRow(state, modules);
  if (row?.kind === 'module') {
    const next = cycle([...modules.keys()], state.moduleName, delta);
    // From a verbatim template, even the same module switches back to its form.
    return next === undefined ? state : selectModule(state, modules, next);
  }
  if (row?.kind === 'enum') {
    const spec = modules.get(state.moduleName);
    const field = spec === undefined ? undefined : formFields(spec).find((f) => `field:${f.key}` === row.id);
    if (field === undefined) return state;
    const current = state.values[field.key];
    const next = cycle(['', ...field.options], typeof current === 'string' ? current : '', delta);
    return next === undefined ? state : { ...state, values: { ...state.values, [field.key]: next } };
  }
  return state;
}

/** Space: flips a yes/no field or the add-my-signature toggle. */
export function toggleFocused(state: LauncherState, modules: ReadonlyMap<string, AnyModuleSpec>): LauncherState {
  const row = focusedRow(state, modules);
  if (row?.kind === 'toggle') return { ...state, isAddingSignature: !state.isAddingSignature };
  if (row?.kind !== 'boolean') return state;
  const key = row.id.slice('field:'.length);
  return { ...state, values: { ...state.values, [key]: state.values[key] !== true } };
}
