import { commandsFor, KEYMAP, keyLabel, type KeyCommand } from '../../keymap.js';
import type { ConsoleSnapshot } from '../console-stores.js';
import { bodyHeight } from '../layout.js';
import { topEntry, type ViewKind } from '../nav.js';
import { wrapText } from './detail-lines.js';

export interface HelpLine {
  /** A section title, or one command. */
  kind: 'title' | 'entry';
  keys: string;
  text: string;
  isDangerous: boolean;
}

export interface HelpModel {
  title: string;
  lines: HelpLine[];
}

/** Every view, in the order people meet them: help lists them all, the current one first. */
const VIEWS: readonly ViewKind[] = ['agents', 'agent', 'actions', 'action', 'command', 'launcher', 'investigators'];
const MOVES: ReadonlySet<string> = new Set(['up', 'down', 'pageUp', 'pageDown', 'top', 'bottom']);
/** The help panel's own title line. */
const HELP_CHROME = 1;
/** `  keys         ` before each description. */
const KEYS_WIDTH = 15;

function entry(c: KeyCommand): HelpLine {
  return {
    kind: 'entry',
    keys: c.keys.map(keyLabel).join(' '),
    text: `${c.description}${c.isDangerous ? ' (asks y/n)' : ''}`,
    isDangerous: c.isDangerous,
  };
}

/** A view's own commands; the six movement commands read better as one line. */
function viewLines(view: ViewKind, isReadOnly: boolean): HelpLine[] {
  const commands = commandsFor(view, isReadOnly).filter((c) => !c.scopes.includes('global'));
  const moves = commands.filter((c) => MOVES.has(c.id)).flatMap((c) => c.keys);
  const moveLine: HelpLine[] =
    moves.length === 0
      ? []
      : [
          {
            kind: 'entry',
            keys: moves.filter((k) => k.length === 1).join(' '),
            text: `move (also ${moves
              .filter((k) => k.length > 1)
              .map(keyLabel)
              .join(' ')})`,
            isDangerous: false,
          },
        ];
  return [...commands.filter((c) => !MOVES.has(c.id)).map(entry), ...moveLine];
}

const title = (text: string): HelpLine => ({ kind: 'title', keys: '', text, isDangerous: false });

/** Long descriptions go on over more lines (keys blank) rather than being cut at the edge. */
function wrapped(lines: readonly HelpLine[], width: number): HelpLine[] {
  return lines.flatMap((line) =>
    line.kind === 'title'
      ? [line]
      : wrapText(line.text, width - KEYS_WIDTH).map((text, i) => ({ ...line, keys: i === 0 ? line.keys : '', text })),
  );
}

/**
 * Every key of the console, generated from the keymap (so it never lists a key that does
 * nothing): this view's first, then the global ones, then every other view's. Unbound commands
 * (read-only mode) are left out.
 */
export function helpLines(view: ViewKind, isReadOnly: boolean, width: number): HelpLine[] {
  return wrapped(allHelpLines(view, isReadOnly), width);
}

function allHelpLines(view: ViewKind, isReadOnly: boolean): HelpLine[] {
  const global = KEYMAP.filter((c) => c.scopes.includes('global') && commandsFor(view, isReadOnly).includes(c)).map(
    entry,
  );
  const others = VIEWS.filter((v) => v !== view).flatMap((v) => {
    const lines = viewLines(v, isReadOnly);
    return lines.length === 0 ? [] : [title(`${v} view`), ...lines];
  });
  return [title(`${view} view (here)`), ...viewLines(view, isReadOnly), title('everywhere'), ...global, ...others];
}

/** Rows of help lines that fit under the panel's title. */
export function helpHeight(snap: ConsoleSnapshot): number {
  return Math.max(1, bodyHeight(snap.ui.size) - HELP_CHROME);
}

export function helpModel(snap: ConsoleSnapshot, offset: number): HelpModel {
  const lines = helpLines(topEntry(snap.ui.nav).view.kind, snap.ui.isReadOnly, snap.ui.size.columns);
  const height = helpHeight(snap);
  const first = Math.max(0, Math.min(offset, lines.length - height));
  const shown = lines.slice(first, first + height);
  const range =
    lines.length <= height ? '' : `  lines ${first + 1}-${first + shown.length} of ${lines.length}, ↑/↓ scroll`;
  return { title: `Help: every key (Esc closes)${range}`, lines: shown };
}
