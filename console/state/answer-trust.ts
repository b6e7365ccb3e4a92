import { verifyStoredAnswer } from '../../protocol/answer-check.js';
import type { CommandRecord } from './backend.js';
import type { Tone } from './columns.js';

/** What the console says about who wrote an answer, checked here, without trusting the server. */
export interface AnswerTrust {
  kind: 'verified' | 'unsigned' | 'unverified' | 'bad';
  /** Short form for a table cell. */
  label: string;
  /** One sentence for the detail view. */
  text: string;
  tone: Tone;
}

const cache = new WeakMap<CommandRecord, AnswerTrust | undefined>();

/**
 * The agent-signature check of one stored answer (protocol/answer-check.ts), cached per record
 * (a new result replaces the record). Undefined while the command has no answer yet.
 */
export function answerTrust(c: CommandRecord): AnswerTrust | undefined {
  if (cache.has(c)) return cache.get(c);
  const trust = c.status === 'sent' ? undefined : check(c);
  cache.set(c, trust);
  return trust;
}

function check(c: CommandRecord): AnswerTrust | undefined {
  if (c.agentAnswer === undefined) {
    // expired/cancelled by the server: the agent never answered, so there is nothing to sign.
    if (c.status === 'expired' || c.status === 'cancelled') return undefined;
    return {
      kind: 'unsigned',
      label: 'unsigned',
      text: 'unsigned: the agent did not sign this answer (an agent older than signed answers)',
      tone: 'warn',
    };
  }
  const result = verifyStoredAnswer(c);
  if (result.ok)
    return {
      kind: 'verified',
      label: 'verified',
      text: `verified: signed by the key of agent ${c.agentId}, exactly as stored`,
      tone: 'ok',
    };
  if (result.code === 'KEY_NOT_OF_AGENT') {
    return {
      kind: 'unverified',
      label: 'key?',
      text: `not verified: ${result.reason} (an agent enrolled before ids came from keys, or an impostor)`,
      tone: 'warn',
    };
  }
  return {
    kind: 'bad',
    label: 'BAD SIG',
    text: `BAD SIGNATURE: ${result.reason}; the stored answer is not what the agent sent`,
    tone: 'error',
  };
}
