import { isResponseModule } from '../../../protocol/limits.js';
import type { AnyModuleSpec } from '../../../protocol/module-spec.js';
import type { ActionRecord, InvestigatorRecord } from '../backend.js';
import type { Tone } from '../columns.js';
import { tableHeight } from '../layout.js';
import type { NavEntry } from '../nav.js';
import type { TerminalSize } from '../ui-state.js';
import { count, sanitize, shortFingerprint } from '../text.js';
import { actionJsonLines } from './preview.js';

/** The review of an action held for a second investigator: what they would sign, and how to. */
export interface ApprovalPanelModel {
  summary: string;
  signedBy: string;
  hint: string;
  hintTone: Tone;
  /** The visible window of the exact action JSON. */
  lines: string[];
  /** `12-31/48`: where the window is. */
  position: string;
}

function moduleList(record: ActionRecord): string {
  const names = [...new Set(record.action.operations.map((o) => o.module))];
  return names.map((m) => sanitize(isResponseModule(m) ? `${m} (response)` : m)).join(', ');
}

function expiresIn(expireAfter: string, nowMs: number): string {
  const s = Math.floor((Date.parse(expireAfter) - nowMs) / 1000);
  if (s <= 0) return 'expired';
  return s < 120
    ? `expires in ${s}s`
    : s < 7200
      ? `expires in ${Math.floor(s / 60)}m`
      : `expires in ${Math.floor(s / 3600)}h`;
}

export interface ApprovalPanelInput {
  record: ActionRecord;
  entry: NavEntry;
  size: TerminalSize;
  nowMs: number;
  modules: ReadonlyMap<string, AnyModuleSpec>;
  investigators: readonly InvestigatorRecord[];
  /** The investigator at the keyboard. */
  me: string;
}

export function approvalPanelModel(input: ApprovalPanelInput): ApprovalPanelModel {
  const { record, entry } = input;
  const approval = record.approval ?? { required: 2, signers: record.investigators };
  const names = approval.signers.map((fp) => {
    const known = input.investigators.find((i) => i.fingerprint === fp);
    return known === undefined ? shortFingerprint(fp) : `${sanitize(known.name)} ${shortFingerprint(fp)}`;
  });
  const isMine = approval.signers.includes(input.me.toLowerCase());
  const all = actionJsonLines(record.action);
  const height = tableHeight('action', input.size);
  const offset = Math.max(0, Math.min(entry.offset, all.length - height));
  const lines = all.slice(offset, offset + height);
  return {
    summary: `PENDING APPROVAL ${approval.signers.length}/${count(approval.required, 'signer')} · ${moduleList(record)} · ${expiresIn(record.action.expireAfter, input.nowMs)}`,
    signedBy: `signed by ${names.join(', ')}`,
    hint: isMine
      ? 'you signed it: another investigator must approve it'
      : 'a approves: signs exactly this JSON, then the server launches it · ↑/↓ scroll',
    hintTone: isMine ? 'dim' : 'error',
    lines,
    position: `${offset + 1}-${offset + lines.length}/${all.length}`,
  };
}
