import { isResponseModule } from '../../../protocol/limits.js';
import type { AnyModuleSpec } from '../../../protocol/module-spec.js';
import type { Tone } from '../columns.js';
import type { ConsoleSnapshot } from '../console-stores.js';
import { bodyHeight } from '../layout.js';
import { checkDraft } from '../launcher/build-action.js';
import { formFields, impliedBooleans } from '../launcher/form-values.js';
import { launcherRows, rowText, type LauncherRow, type LauncherState } from '../launcher/launcher-state.js';
import { count, fit, sanitize } from '../text.js';
import { actionJsonLines, previewLines } from './preview.js';

export interface LauncherRowModel {
  id: string;
  label: string;
  value: string;
  /** The field's problem (error tone) or, for the target, its live match count. */
  note: string;
  noteTone: Tone;
  isFocused: boolean;
  isEditing: boolean;
}

export interface LauncherViewModel {
  title: string;
  rows: LauncherRowModel[];
  /** Help for the focused row: the field's description from the schema. */
  help: string;
  status: string;
  statusTone: Tone;
  /** Shown instead of the form while preview is on. */
  preview: string[] | undefined;
  /** An imported feed: what this action hunts and what the feed held that nothing hunts, and why. */
  iocLines: string[];
}

/** Reasons listed under an imported feed's draft; the rest are counted (mig ioc import lists them all). */
const MAX_UNTRANSLATED_SHOWN = 3;

function iocLinesOf(state: LauncherState): string[] {
  const ioc = state.source.kind === 'template' ? state.source.ioc : undefined;
  const planned = ioc?.actions[ioc.index];
  if (ioc === undefined || planned === undefined) return [];
  const kinds = new Map<string, number>();
  for (const i of planned.indicators) kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
  if (planned.conjunctions.length > 0) kinds.set('file conjunction', planned.conjunctions.length);
  const hunted = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ');
  const lines = [
    `feed ${ioc.feed}: action ${ioc.index + 1} of ${ioc.actions.length} hunts ${count(planned.indicators.length + planned.conjunctions.length, 'indicator')} (${hunted})`,
  ];
  if (ioc.untranslated.length > 0) lines.push(`not hunted (${ioc.untranslated.length}):`);
  for (const u of ioc.untranslated.slice(0, MAX_UNTRANSLATED_SHOWN))
    lines.push(`  ${u.id}${u.name !== '' && u.name !== u.id ? ` "${u.name}"` : ''}: ${u.reason}`);
  if (ioc.untranslated.length > MAX_UNTRANSLATED_SHOWN)
    lines.push(`  … and ${ioc.untranslated.length - MAX_UNTRANSLATED_SHOWN} more (mig ioc import lists them all)`);
  return lines.map(sanitize);
}

const LABEL_WIDTH = 14;

function valueText(state: LauncherState, row: LauncherRow, modules: ReadonlyMap<string, AnyModuleSpec>): string {
  switch (row.kind) {
    case 'module':
      return state.source.kind === 'template'
        ? `${state.source.operations.map((o) => o.module).join(', ')} (copied from ${state.source.from}; ←/→ for a fresh form)`
        : `‹ ${state.moduleName} ›  ${modules.get(state.moduleName)?.summary ?? ''}`;
    case 'boolean': {
      const key = row.id.slice('field:'.length);
      if (state.values[key] === true) return '[x]';
      const spec = modules.get(state.moduleName);
      return spec !== undefined && impliedBooleans(spec, state.values).has(key)
        ? '[x] (implied by the other fields)'
        : '[ ]';
    }
    case 'enum':
      return `‹ ${rowText(state, row.id) || '(default)'} ›`;
    case 'toggle':
      return state.isAddingSignature ? '[x]' : '[ ]';
    case 'button':
      return '[ Sign & launch ]';
    case 'text':
      return rowText(state, row.id) + (state.isEditing ? '▏' : '');
  }
}

function countText(state: LauncherState): string {
  const c = state.targetCount;
  if (c.kind === 'idle' || c.target !== state.target) return c.kind === 'idle' ? '' : 'counting…';
  if (c.kind === 'counting') return 'counting…';
  if (c.kind === 'error') return `count failed: ${c.message}`;
  return `matches ${c.count.total} (${c.count.online} online, ${c.count.idle} idle, ${c.count.offline} offline)`;
}

function helpFor(
  state: LauncherState,
  row: LauncherRow | undefined,
  modules: ReadonlyMap<string, AnyModuleSpec>,
): string {
  if (row === undefined) return '';
  const fixed: Record<string, string> = {
    module: '←/→ picks the module',
    name: 'a name for the history',
    target: "which agents: e.g. os = 'linux' and tags->>'env' = 'prod'",
    expiry: 'how long agents accept it: 30s, 5m, 1h, 1d',
    signature: 'space: add my signature (co-sign) or send it as it is',
    launch: 'Enter or s: sign, then launch after 3 s (Esc cancels)',
  };
  if (fixed[row.id] !== undefined) return fixed[row.id] ?? '';
  const spec = modules.get(state.moduleName);
  const field = spec === undefined ? undefined : formFields(spec).find((f) => `field:${f.key}` === row.id);
  const list = field?.isRepeatable === true ? ' (comma-separated; \\, for a comma)' : '';
  const options = field !== undefined && field.options.length > 0 ? ` [${field.options.join(' ')}]` : '';
  return `${field?.description ?? ''}${options}${list}`;
}

function statusOf(
  state: LauncherState,
  problems: readonly string[],
  badFields: number,
): { status: string; statusTone: Tone } {
  const p = state.phase;
  if (p.kind === 'signing') return { status: 'signing…', statusTone: 'accent' };
  if (p.kind === 'countdown') return { status: `launching in ${p.secondsLeft} s… Esc cancels`, statusTone: 'warn' };
  if (p.kind === 'launching') return { status: 'launching…', statusTone: 'accent' };
  if (problems.length > 0) return { status: problems.join('; '), statusTone: 'error' };
  if (badFields > 0)
    return { status: `${badFields} field${badFields === 1 ? '' : 's'} to fix before launching`, statusTone: 'warn' };
  return { status: 'ready: s signs and launches, p previews the action', statusTone: 'dim' };
}

/** Response modules change the endpoints: the module row says so, and what happens after signing. */
function responseNote(state: LauncherState): string | undefined {
  const names =
    state.source.kind === 'form'
      ? [state.moduleName]
      : (state.source.kind === 'template' ? state.source.operations : state.source.action.operations).map(
          (o) => o.module,
        );
  const risky = names.filter(isResponseModule);
  return risky.length === 0 ? undefined : 'RESPONSE: needs a 2nd approver';
}

function rowProblems(issues: Readonly<Record<string, string>>): string[] {
  return Object.entries(issues).map(([id, issue]) => `${id.replace(/^field:/, '')}: ${issue}`);
}

/** The last first-line the preview can scroll to: its JSON lines past the ones that fit. */
export function previewScrollLimit(snap: ConsoleSnapshot): number {
  const action = checkDraft(snap.launcher, snap.modules, snap.nowMs).action;
  const keep = Math.max(1, bodyHeight(snap.ui.size) - 4);
  return action === undefined ? 0 : Math.max(0, actionJsonLines(action).length - keep);
}

export function launcherViewModel(snap: ConsoleSnapshot): LauncherViewModel {
  const state = snap.launcher;
  const modules = snap.modules;
  const check = checkDraft(state, modules, snap.nowMs);
  const rows = launcherRows(state, modules);
  const width = snap.ui.size.columns;
  const iocLines = iocLinesOf(state);
  // Title, help and status lines (and a feed's summary) frame the rows; the rows scroll with the focus.
  const slots = Math.max(1, bodyHeight(snap.ui.size) - 3 - iocLines.length);
  const start = Math.max(0, Math.min(state.focus - slots + 1, rows.length - slots));
  const matchCount = countText(state);
  const danger = responseNote(state);
  const models = rows.slice(start, start + slots).map((row, i): LauncherRowModel => {
    const isFocused = start + i === state.focus;
    const issue = check.rowIssues[row.id];
    const note = sanitize(issue ?? (row.id === 'target' ? matchCount : row.id === 'module' ? (danger ?? '') : ''));
    const value = sanitize(valueText({ ...state, isEditing: state.isEditing && isFocused }, row, modules));
    // The value gives way to the note, but never below a readable minimum.
    const valueWidth = Math.max(8, width - LABEL_WIDTH - 6 - Math.min(note.length, Math.floor(width / 2)));
    return {
      id: row.id,
      label: fit(row.label, LABEL_WIDTH),
      value: fit(value, Math.min(valueWidth, value.length)),
      note,
      // A response module's warning shares the error tone: red, like every dangerous thing.
      noteTone: issue === undefined && !(row.id === 'module' && danger !== undefined) ? 'accent' : 'error',
      isFocused,
      isEditing: isFocused && state.isEditing,
    };
  });
  const source = state.source;
  const title =
    source.kind === 'signed'
      ? `Co-sign and launch ${sanitize(source.action.name)} (${count(source.action.signatures.length, 'signature')}, from ${source.from})`
      : source.kind === 'template' && source.ioc !== undefined
        ? `Hunt a threat-intel feed (${sanitize(source.ioc.feed)})`
        : `Launch a hunt`;
  return {
    title,
    rows: models,
    iocLines,
    help: sanitize(helpFor(state, rows[state.focus], modules)),
    ...statusOf(state, check.problems, Object.keys(check.rowIssues).length),
    preview: state.isPreviewOpen
      ? previewLines(
          check.action,
          [...rowProblems(check.rowIssues), ...check.problems],
          bodyHeight(snap.ui.size) - 3 - iocLines.length,
          state.previewOffset,
        )
      : undefined,
  };
}
