import type { SignedAction } from '../../protocol/action.js';
import type { ExportFormat, NewInvestigator } from './backend.js';
import type { ViewRef } from './nav.js';

/** What a prompt's text is for once Enter is pressed. */
export type PromptPurpose =
  | { kind: 'exportPath'; actionId: string; format: ExportFormat }
  | { kind: 'loadActionFile' }
  | { kind: 'importIocFeed' }
  | { kind: 'investigatorKeyPath' }
  | { kind: 'investigatorName'; publicKeyPath: string };

export interface Choice {
  /** The key that picks it. */
  key: string;
  label: string;
  intent: Intent;
}

/**
 * Everything a key, a prompt or a confirmation can ask for. Commands return intents and one
 * dispatcher carries them out, so views never call the backend and every effect is testable.
 */
export type Intent =
  | { type: 'open'; view: ViewRef }
  | { type: 'jump'; view: ViewRef }
  | { type: 'back' }
  /** `fleet`: what happens to a server and agent this console started (asked when absent). */
  | { type: 'quit'; fleet?: FleetOnQuit }
  | { type: 'confirm'; message: string; then: Intent }
  | { type: 'choose'; label: string; choices: readonly Choice[] }
  | { type: 'prompt'; label: string; defaultText: string; purpose: PromptPurpose }
  | { type: 'flash'; level: 'info' | 'error'; text: string }
  | { type: 'refresh' }
  | { type: 'cancelAction'; actionId: string }
  /** Co-sign the action exactly as the view showed it, and send the signature (two-person rule). */
  | { type: 'approveAction'; actionId: string; shown: SignedAction }
  | { type: 'newHunt'; target?: string }
  | { type: 'huntAgain'; actionId: string; which: 'found' | 'notfound' }
  | { type: 'exportResults'; actionId: string; format: ExportFormat; path: string }
  | { type: 'loadActionFile'; path: string }
  /** A threat-intel feed file → the server translates it (POST /ioc) → its actions, one by one, in the launcher. */
  | { type: 'importIocFeed'; path: string }
  /** `isConfirmed` once the person said y to launching a response module. */
  | { type: 'launch'; isConfirmed?: boolean }
  | { type: 'addInvestigator'; body: NewInvestigator }
  | { type: 'setInvestigatorStatus'; fingerprint: string; status: 'active' | 'disabled' }
  | { type: 'decideEnrollment'; agentId: string; decision: 'accept' | 'reject' };

/** On quitting a console that started its own server and agent: leave them running, or stop them. */
export type FleetOnQuit = 'keep' | 'stop';
