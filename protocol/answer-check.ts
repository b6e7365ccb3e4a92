import { checkAnswer, type AnswerCheck } from './agent-key.js';
import type { CommandRecord } from './api.js';
import { MESSAGE_VERSION, type ResultMessage } from './messages.js';

/**
 * The result message an agent signed, rebuilt from the command record the server stored (the
 * server keeps operations and error once, plus the agent's own status and times in
 * `agentAnswer`). Undefined when the record holds no signed answer.
 */
export function signedResultOf(record: CommandRecord): ResultMessage | undefined {
  const answer = record.agentAnswer;
  if (answer === undefined) return undefined;
  const result: ResultMessage = {
    v: MESSAGE_VERSION,
    kind: 'result',
    commandId: record.id,
    status: answer.status,
    operations: record.operations ?? [],
    startedAt: answer.startedAt,
    finishedAt: answer.finishedAt,
  };
  // The scheduler only takes a result naming the command's own action, or none.
  if (answer.hasActionId !== false) result.actionId = record.actionId;
  if (record.error !== undefined) result.error = record.error;
  return result;
}

/**
 * Checks, without trusting the server, that a stored answer came from the agent its record
 * names: the signing key derives that agent id and the signature covers exactly this answer.
 */
export function verifyStoredAnswer(record: CommandRecord): AnswerCheck {
  const result = signedResultOf(record);
  if (result === undefined)
    return { ok: false, code: 'UNSIGNED', reason: 'the server holds no signed answer for this command' };
  return checkAnswer(record.agentId, result, record.agentAnswer?.signature);
}
