import type { ConnectionStatus } from './backend.js';
import type { Choice, FleetOnQuit, Intent, PromptPurpose } from './intents.js';
import { initialNav, type NavState } from './nav.js';

/** At most one overlay takes the keyboard at a time; it renders in the footer (or over the body for help). */
export type Overlay =
  | { kind: 'none' }
  | { kind: 'jump'; text: string }
  /** `previous` is restored when Esc abandons the edit. */
  | { kind: 'filter'; text: string; previous: string }
  | { kind: 'prompt'; label: string; text: string; purpose: PromptPurpose }
  | { kind: 'confirm'; message: string; intent: Intent }
  | { kind: 'choice'; label: string; choices: readonly Choice[] }
  /** `offset`: first help line shown (help lists every key and scrolls). */
  | { kind: 'help'; offset: number };

export interface Flash {
  level: 'info' | 'error';
  text: string;
  /** Distinguishes two equal messages, so the older one's timer does not clear the newer. */
  seq: number;
}

export interface TerminalSize {
  columns: number;
  rows: number;
}

export interface UiState {
  nav: NavState;
  overlay: Overlay;
  flash: Flash | undefined;
  connection: ConnectionStatus;
  size: TerminalSize;
  isReadOnly: boolean;
  /** Wide mode (`w`): tables show every column whole, exact times and sizes; ←/→ scroll sideways. */
  isWide: boolean;
  hasQuit: boolean;
  /** With hasQuit: what the person chose for a fleet this console started. */
  fleetOnQuit: FleetOnQuit | undefined;
  /** Fingerprint of the investigator at the keyboard (lowercase): whose signature an approval adds. */
  me: string;
}

export const MIN_SIZE: TerminalSize = { columns: 40, rows: 12 };

export function initialUi(isReadOnly: boolean, size: TerminalSize = { columns: 80, rows: 24 }, me = ''): UiState {
  return {
    nav: initialNav(),
    overlay: { kind: 'none' },
    flash: undefined,
    connection: 'connected',
    size: clampSize(size),
    isReadOnly,
    isWide: false,
    hasQuit: false,
    fleetOnQuit: undefined,
    me: me.toLowerCase(),
  };
}

/** Below this the layout cannot show a table at all; we draw at the minimum and let the terminal clip. */
export function clampSize(size: TerminalSize): TerminalSize {
  return { columns: Math.max(MIN_SIZE.columns, size.columns), rows: Math.max(MIN_SIZE.rows, size.rows) };
}
