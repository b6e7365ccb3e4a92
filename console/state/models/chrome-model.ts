import { commandsFor, keyLabel, type KeyCommand } from '../../keymap.js';
import { agentCounts } from '../agents-state.js';
import { inFlightCount } from '../actions-state.js';
import { awaitingApprovalList } from '../approval-state.js';
import type { ConsoleInvestigator } from '../backend.js';
import type { ConsoleSnapshot } from '../console-stores.js';
import { topEntry } from '../nav.js';
import { agentItems, actionItems, investigatorItems, resultItems } from '../selectors.js';
import { clockText, count, sanitize, shortFingerprint } from '../text.js';

export interface HeaderModel {
  server: string;
  investigator: string;
  online: number;
  idle: number;
  offline: number;
  inFlight: number;
  /** Actions held for a second investigator's signature. */
  awaitingApproval: number;
  clock: string;
  isReconnecting: boolean;
  isReadOnly: boolean;
}

export function headerModel(snap: ConsoleSnapshot, serverUrl: string, who: ConsoleInvestigator): HeaderModel {
  const counts = agentCounts(snap.agents);
  return {
    server: sanitize(serverUrl),
    investigator: `${sanitize(who.name)} ${shortFingerprint(who.fingerprint)} (${who.backend})`,
    online: counts.online,
    idle: counts.idle,
    offline: counts.offline,
    inFlight: inFlightCount(snap.actions),
    awaitingApproval: awaitingApprovalList(snap.actions).length,
    clock: clockText(snap.nowMs),
    isReconnecting: snap.ui.connection === 'reconnecting',
    isReadOnly: snap.ui.isReadOnly,
  };
}

export interface KeyHint {
  key: string;
  label: string;
  isDangerous: boolean;
}

/** The footer's first line: key hints, or whatever prompt has the keyboard. */
export type FooterLine =
  | { kind: 'keys'; keys: KeyHint[] }
  | { kind: 'input'; prefix: string; text: string; note: string; isError: boolean }
  | { kind: 'confirm'; message: string }
  | { kind: 'choice'; label: string; choices: { key: string; label: string }[] };

export interface FooterModel {
  line: FooterLine;
  flash: { text: string; isError: boolean } | undefined;
}

function hint(c: KeyCommand): KeyHint {
  return { key: keyLabel(c.keys[0] ?? ''), label: c.hint ?? c.id, isDangerous: c.isDangerous };
}

/** As many hints as fit, in keymap order, but `? help` always: it lists the rest. */
export function fitHints(hints: readonly KeyHint[], width: number): KeyHint[] {
  const cost = (h: KeyHint): number => h.key.length + h.label.length + (h.isDangerous ? 1 : 0) + 3;
  const help = hints.find((h) => h.key === '?');
  let room = width - (help === undefined ? 0 : cost(help));
  const out: KeyHint[] = [];
  for (const h of hints) {
    if (h === help) continue;
    if (cost(h) > room) break;
    room -= cost(h);
    out.push(h);
  }
  return help === undefined ? out : [...out, help];
}

function filterNote(snap: ConsoleSnapshot): { note: string; isError: boolean } {
  const entry = topEntry(snap.ui.nav);
  switch (entry.view.kind) {
    case 'agents': {
      const { items, error } = agentItems(snap, entry);
      if (error !== undefined) return { note: error, isError: true };
      return {
        note: `${items.length} of ${count(snap.agents.byId.size, 'agent')} ${items.length === 1 ? 'matches' : 'match'}`,
        isError: false,
      };
    }
    case 'actions':
      return { note: count(actionItems(snap, entry).length, 'action'), isError: false };
    case 'action':
      return { note: count(resultItems(snap, entry).length, 'row'), isError: false };
    case 'investigators':
      return { note: count(investigatorItems(snap, entry).length, 'investigator'), isError: false };
    default:
      return { note: '', isError: false };
  }
}

function footerLine(snap: ConsoleSnapshot): FooterLine {
  const overlay = snap.ui.overlay;
  switch (overlay.kind) {
    case 'jump':
      return {
        kind: 'input',
        prefix: ':',
        text: overlay.text,
        note: 'agents actions launch investigators pending',
        isError: false,
      };
    case 'filter':
      return { kind: 'input', prefix: '/', text: overlay.text, ...filterNote(snap) };
    case 'prompt':
      return {
        kind: 'input',
        prefix: `${overlay.label}: `,
        text: overlay.text,
        note: 'Enter to accept, Esc to cancel',
        isError: false,
      };
    case 'confirm':
      return { kind: 'confirm', message: overlay.message };
    case 'choice':
      return {
        kind: 'choice',
        label: overlay.label,
        choices: overlay.choices.map((c) => ({ key: c.key, label: c.label })),
      };
    default: {
      const view = topEntry(snap.ui.nav).view.kind;
      const all = commandsFor(view, snap.ui.isReadOnly)
        .filter((c) => c.hint !== undefined)
        .map(hint);
      return { kind: 'keys', keys: fitHints(all, snap.ui.size.columns) };
    }
  }
}

export function footerModel(snap: ConsoleSnapshot): FooterModel {
  const flash = snap.ui.flash;
  return {
    line: footerLine(snap),
    flash: flash === undefined ? undefined : { text: flash.text, isError: flash.level === 'error' },
  };
}
