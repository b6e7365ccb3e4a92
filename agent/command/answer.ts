import type { ResultMessage } from '../../protocol/messages.js';
import { resultMessage, type AnswerSigner, type ResultInput } from '../outbox.js';

/** What the answer step needs of the answer journal (agent/journal/answer-journal.ts). */
export interface AnswerStore {
  /** The action whose answer to this command is kept; undefined if none is. */
  actionIdOf(commandId: string): string | undefined;
  /** Keeps a result naming its action until `until`; resolves once on disk; never rejects (false: not kept). */
  keep(result: ResultMessage, until: Date): Promise<boolean>;
  /** The kept answer, read back and checked; undefined if missing or damaged. */
  read(commandId: string): Promise<ResultMessage | undefined>;
}

export interface AnswerDeps {
  answers: AnswerStore;
  /** Signs every result with the agent's key (agent/agent-key.ts); absent: answers go unsigned. */
  signer?: AnswerSigner;
}

/**
 * Step 6: builds and signs the result, and keeps it when asked (until `keepUntil`) before anyone
 * publishes it: the broker taking it does not mean the server stored it, and a server that asks
 * again must get this same answer rather than a second run.
 */
export async function signAnswer(input: ResultInput, deps: AnswerDeps, keepUntil?: Date): Promise<ResultMessage> {
  const message = resultMessage(input, deps.signer);
  if (keepUntil !== undefined) await deps.answers.keep(message, keepUntil);
  return message;
}

/**
 * The answer kept for this command if it answered this very action (the server lost our answer
 * and sent the command again); undefined otherwise, or if it cannot be read back.
 */
export async function keptAnswer(
  commandId: string,
  actionId: string,
  answers: AnswerStore,
): Promise<ResultMessage | undefined> {
  return answers.actionIdOf(commandId) === actionId ? answers.read(commandId) : undefined;
}
