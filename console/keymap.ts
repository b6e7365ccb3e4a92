import type { ViewKind } from './state/nav.js';

/**
 * Every named command of the console (gemini `keyBindings.ts`, k9s `action.go`): its keys, what
 * it does in words and whether it is dangerous. Help and the footer are generated from this
 * table; dangerous commands ask y/n first, and in read-only mode neither they nor commands that
 * change anything on the server are bound at all.
 */
export type CommandId =
  | 'quit'
  | 'back'
  | 'jump'
  | 'help'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'top'
  | 'bottom'
  | 'filter'
  | 'refresh'
  | 'openAgent'
  | 'openAgentCommand'
  | 'sort'
  | 'sortReverse'
  | 'openAction'
  | 'newHunt'
  | 'cancelAction'
  | 'approveAction'
  | 'openCommand'
  | 'toggleFound'
  | 'exportResults'
  | 'huntFound'
  | 'huntNotFound'
  | 'editField'
  | 'toggleField'
  | 'nextChoice'
  | 'previousChoice'
  | 'togglePreview'
  | 'loadActionFile'
  | 'importIocFeed'
  | 'toggleSignature'
  | 'launch'
  | 'addInvestigator'
  | 'toggleInvestigator'
  | 'acceptAgent'
  | 'rejectAgent'
  | 'toggleWide'
  | 'scrollLeft'
  | 'scrollRight';

/** `global` commands work in every view; view kinds scope the rest. */
export type KeyScope = ViewKind | 'global';

export interface KeyCommand {
  id: CommandId;
  /** Key names as `keyName()` spells them: `j`, `G`, `enter`, `esc`, `ctrl+c`, `space`, `pagedown`. */
  keys: readonly string[];
  description: string;
  /** Asks for confirmation (y/n) first; unbound in read-only mode. */
  isDangerous: boolean;
  /** Changes something on the server or launches an action; unbound in read-only mode. */
  isMutating: boolean;
  scopes: readonly KeyScope[];
  /** Short label for the footer's key list; commands without one appear only in help. */
  hint: string | undefined;
}

const TABLES: readonly KeyScope[] = ['agents', 'agent', 'actions', 'action', 'investigators', 'command'];
const MOVABLE: readonly KeyScope[] = [...TABLES, 'launcher'];
/** Views that are tables (the command view is text). */
const LISTS: readonly KeyScope[] = ['agents', 'agent', 'actions', 'action', 'investigators'];

function cmd(
  id: CommandId,
  keys: readonly string[],
  description: string,
  scopes: readonly KeyScope[],
  opts: { isDangerous?: boolean; isMutating?: boolean; hint?: string } = {},
): KeyCommand {
  return {
    id,
    keys,
    description,
    scopes,
    isDangerous: opts.isDangerous ?? false,
    isMutating: opts.isMutating ?? opts.isDangerous ?? false,
    hint: opts.hint,
  };
}

/** View-specific commands come first: they win over a global command on the same key. */
// Alike on purpose (duplicates): the keymap table, one `cmd` a key binding; bindings share their shape, not logic.
export const KEYMAP: readonly KeyCommand[] = [
  cmd('openAgent', ['enter'], 'agent details and recent commands', ['agents'], { hint: 'details' }),
  cmd('openAgentCommand', ['enter'], 'the answer: agent signature check, errors, warnings, stats', ['agent'], {
    hint: 'details',
  }),
  cmd('sort', ['s'], 'sort by the next column', ['agents'], { hint: 'sort' }),
  cmd('sortReverse', ['S'], 'reverse the sort order', ['agents']),
  cmd('openAction', ['enter'], 'open the action', ['actions'], { hint: 'open' }),
  cmd('openCommand', ['enter'], 'the row whole: every field, the agent signature check, warnings, stats', ['action'], {
    hint: 'details',
  }),
  cmd('toggleFound', ['f'], 'show found / not found / all', ['action'], { hint: 'found' }),
  cmd('exportResults', ['x'], 'export results (json, ndjson, csv)', ['action'], { hint: 'export' }),
  cmd('huntFound', ['h'], 'hunt again on the agents that found something', ['action'], {
    isMutating: true,
    hint: 'hunt again',
  }),
  cmd('huntNotFound', ['N'], 'hunt again on the agents that found nothing', ['action'], { isMutating: true }),
  cmd('newHunt', ['n'], 'new hunt (launcher)', ['actions', 'agents'], { isMutating: true, hint: 'hunt' }),
  cmd('cancelAction', ['c'], 'cancel the action', ['actions', 'action'], { isDangerous: true, hint: 'cancel' }),
  cmd(
    'approveAction',
    ['a'],
    'approve: co-sign and launch an action waiting for a second investigator',
    ['actions', 'action'],
    { isDangerous: true, hint: 'approve' },
  ),
  cmd('editField', ['enter'], 'edit the field / press the button', ['launcher'], { hint: 'edit' }),
  cmd('toggleField', ['space'], 'toggle a yes/no field', ['launcher']),
  cmd('nextChoice', ['right'], 'next module or choice', ['launcher']),
  cmd('previousChoice', ['left'], 'previous module or choice', ['launcher']),
  cmd('togglePreview', ['p'], 'show the exact action JSON', ['launcher'], { hint: 'preview' }),
  cmd('loadActionFile', ['l'], 'load an action file (ours or MIG)', ['launcher'], { hint: 'load' }),
  cmd('importIocFeed', ['i'], 'import a threat-intel feed file (STIX, YARA, list) as hunts', ['launcher'], {
    hint: 'ioc',
  }),
  cmd('toggleSignature', ['a'], 'add my signature or not (loaded signed action)', ['launcher']),
  // Alike on purpose (duplicates): keymap entries are data (k9s action.go): each command with its keys, help text and
  // flags; the help bar is generated from them.
  cmd('launch', ['s'], 'sign and launch (3 s countdown, Esc cancels)', ['launcher'], {
    isMutating: true,
    hint: 'launch',
  }),
  cmd('addInvestigator', ['a'], 'add an investigator from a public key file', ['investigators'], {
    isDangerous: true,
    hint: 'add',
  }),
  cmd('toggleInvestigator', ['d'], 'disable / enable the investigator', ['investigators'], {
    isDangerous: true,
    hint: 'disable/enable',
  }),
  cmd('acceptAgent', ['a'], "accept the agent's enrollment (pending agents)", ['agents'], {
    isDangerous: true,
    hint: 'accept',
  }),
  cmd('rejectAgent', ['X'], "reject the agent's enrollment, or withdraw an accepted agent's credential", ['agents'], {
    isDangerous: true,
    hint: 'reject',
  }),
  cmd('toggleWide', ['w'], 'wide: every column whole, exact times and sizes (←/→ scroll sideways)', LISTS, {
    hint: 'wide',
  }),
  cmd('scrollRight', ['right'], 'wide mode: scroll the table right by a column', LISTS),
  cmd('scrollLeft', ['left'], 'wide mode: scroll the table left by a column', LISTS),
  cmd('filter', ['/'], 'filter the table', ['agents', 'actions', 'action', 'investigators'], { hint: 'filter' }),
  cmd('refresh', ['r'], 'reload from the server', ['agents', 'actions', 'investigators', 'action', 'agent']),
  cmd('up', ['up', 'k'], 'cursor up', MOVABLE),
  cmd('down', ['down', 'j'], 'cursor down', MOVABLE),
  cmd('pageUp', ['pageup', 'ctrl+b'], 'page up', TABLES),
  cmd('pageDown', ['pagedown', 'ctrl+f'], 'page down', TABLES),
  cmd('top', ['home', 'g'], 'first row', MOVABLE),
  cmd('bottom', ['end', 'G'], 'last row', MOVABLE),
  cmd('back', ['esc'], 'back', ['global'], { hint: 'back' }),
  cmd('jump', [':'], 'go to a view: :agents :actions :launch :investigators :pending', ['global'], { hint: 'view' }),
  cmd('help', ['?'], 'help: every key of every view', ['global'], { hint: 'help' }),
  cmd(
    'quit',
    ['q', 'ctrl+c'],
    'quit; a server this console started asks: keep it and its agent running, or stop them',
    ['global'],
    { hint: 'quit' },
  ),
];

/** True when a command is usable at all in this mode. */
export function isBound(command: KeyCommand, isReadOnly: boolean): boolean {
  return !(isReadOnly && (command.isDangerous || command.isMutating));
}

/** Commands available in a view, view-specific first, then global ones. */
export function commandsFor(view: ViewKind, isReadOnly: boolean, keymap: readonly KeyCommand[] = KEYMAP): KeyCommand[] {
  const inView = keymap.filter((c) => c.scopes.includes(view) && isBound(c, isReadOnly));
  const global = keymap.filter((c) => c.scopes.includes('global') && isBound(c, isReadOnly));
  return [...inView, ...global];
}

/** The command a key runs in a view, if any. */
export function resolveKey(
  view: ViewKind,
  key: string,
  isReadOnly: boolean,
  keymap: readonly KeyCommand[] = KEYMAP,
): KeyCommand | undefined {
  return commandsFor(view, isReadOnly, keymap).find((c) => c.keys.includes(key));
}

/** How a key is written in help and the footer: `<enter>`, `<ctrl+c>`, `j`. */
export function keyLabel(key: string): string {
  return key.length === 1 ? key : `<${key}>`;
}
