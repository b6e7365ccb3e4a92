import type { Operation, SignedAction } from '../../../protocol/action.js';
import { newActionId } from '../../../protocol/canonical.js';
import type { IocPlannedAction, IocUntranslated } from '../../../protocol/ioc-api.js';
import type { AnyModuleSpec } from '../../../protocol/module-spec.js';
import type { AgentCount } from '../backend.js';
import { DEFAULT_EXPIRY } from '../../../protocol/limits.js';
import { formFields, initialValues, type FormValues } from './form-values.js';
import { DEFAULT_TARGET } from '../../../protocol/target/index.js';

/** Where the launcher's operations come from. */
export type LauncherSource =
  /** The module form. */
  | { kind: 'form' }
  /** Operations copied verbatim (hunt again, an unsigned action file): name, target, expiry stay editable. */
  | { kind: 'template'; operations: readonly Operation[]; from: string; ioc?: IocProgress }
  /** An action someone else signed: nothing can change without breaking their signature. */
  | { kind: 'signed'; action: SignedAction; from: string };

/**
 * A threat-intel feed the server translated (POST /ioc): its actions go through the launcher one
 * at a time (each signed and launched as any other), `index` the one in the draft now.
 */
export interface IocProgress {
  feed: string;
  actions: readonly IocPlannedAction[];
  index: number;
  untranslated: readonly IocUntranslated[];
}

export type LaunchPhase =
  | { kind: 'editing' }
  | { kind: 'signing' }
  | { kind: 'countdown'; secondsLeft: number; signed: SignedAction }
  | { kind: 'launching'; signed: SignedAction };

export type TargetCount =
  | { kind: 'idle' }
  | { kind: 'counting'; target: string }
  | { kind: 'counted'; target: string; count: AgentCount }
  | { kind: 'error'; target: string; message: string };

export interface LauncherState {
  /** Chosen once per draft: the signer picks the id, so it is covered by the signature. */
  actionId: string;
  moduleName: string;
  values: FormValues;
  name: string;
  target: string;
  expiry: string;
  source: LauncherSource;
  /** Index into launcherRows(). */
  focus: number;
  /** Keys go into the focused text field. */
  isEditing: boolean;
  isPreviewOpen: boolean;
  /** First line of the preview shown: it scrolls with ↑/↓ (an action is often taller than the screen). */
  previewOffset: number;
  /** For a signed source: add my signature before sending (a co-signer) or send as is. */
  isAddingSignature: boolean;
  targetCount: TargetCount;
  phase: LaunchPhase;
}

export { DEFAULT_TARGET };

export interface NewLauncherOptions {
  moduleName?: string;
  values?: FormValues;
  target?: string;
  name?: string;
  source?: LauncherSource;
  actionId?: string;
}

export function newLauncher(modules: ReadonlyMap<string, AnyModuleSpec>, opts: NewLauncherOptions = {}): LauncherState {
  const moduleName = opts.moduleName ?? [...modules.keys()][0] ?? '';
  const spec = modules.get(moduleName);
  return {
    actionId: opts.actionId ?? newActionId(),
    moduleName,
    values: opts.values ?? (spec === undefined ? {} : initialValues(formFields(spec))),
    name: opts.name ?? moduleName,
    target: opts.target ?? DEFAULT_TARGET,
    expiry: DEFAULT_EXPIRY,
    source: opts.source ?? { kind: 'form' },
    focus: 0,
    isEditing: false,
    isPreviewOpen: false,
    previewOffset: 0,
    isAddingSignature: true,
    targetCount: { kind: 'idle' },
    phase: { kind: 'editing' },
  };
}

export type RowKind = 'module' | 'text' | 'boolean' | 'enum' | 'toggle' | 'button';

export interface LauncherRow {
  /** `module`, `name`, `target`, `expiry`, `field:<key>`, `signature` or `launch`. */
  id: string;
  kind: RowKind;
  label: string;
}

const rowsCache = new WeakMap<LauncherState, LauncherRow[]>();

/** The focusable rows, in order. */
export function launcherRows(state: LauncherState, modules: ReadonlyMap<string, AnyModuleSpec>): LauncherRow[] {
  const cached = rowsCache.get(state);
  if (cached !== undefined) return cached;
  const launch: LauncherRow = { id: 'launch', kind: 'button', label: '' };
  let rows: LauncherRow[];
  if (state.source.kind === 'signed') {
    rows = [{ id: 'signature', kind: 'toggle', label: 'My signature' }, launch];
  } else {
    const common: LauncherRow[] = [
      { id: 'module', kind: 'module', label: 'Module' },
      { id: 'name', kind: 'text', label: 'Name' },
      { id: 'target', kind: 'text', label: 'Target' },
      { id: 'expiry', kind: 'text', label: 'Expires in' },
    ];
    const spec = modules.get(state.moduleName);
    const fields = state.source.kind === 'form' && spec !== undefined ? formFields(spec) : [];
    const fieldRows = fields.map<LauncherRow>((f) => ({
      id: `field:${f.key}`,
      kind: f.kind === 'boolean' ? 'boolean' : f.kind === 'enum' && !f.isRepeatable ? 'enum' : 'text',
      label: f.key,
    }));
    rows = [...common, ...fieldRows, launch];
  }
  rowsCache.set(state, rows);
  return rows;
}

export function focusedRow(state: LauncherState, modules: ReadonlyMap<string, AnyModuleSpec>): LauncherRow | undefined {
  const rows = launcherRows(state, modules);
  return rows[Math.min(state.focus, rows.length - 1)];
}

/** The text of a text row, as typed. */
export function rowText(state: LauncherState, rowId: string): string {
  if (rowId === 'name') return state.name;
  if (rowId === 'target') return state.target;
  if (rowId === 'expiry') return state.expiry;
  if (rowId.startsWith('field:')) {
    const v = state.values[rowId.slice('field:'.length)];
    return typeof v === 'string' ? v : '';
  }
  return '';
}

export function withRowText(state: LauncherState, rowId: string, text: string): LauncherState {
  if (rowId === 'name') return { ...state, name: text };
  if (rowId === 'target') return { ...state, target: text };
  if (rowId === 'expiry') return { ...state, expiry: text };
  if (rowId.startsWith('field:'))
    return { ...state, values: { ...state.values, [rowId.slice('field:'.length)]: text } };
  return state;
}

export function isBusy(state: LauncherState): boolean {
  return state.phase.kind !== 'editing';
}
