import { checkAnswer, DERIVED_AGENT_ID_PATTERN, verifyAgentSignature, answerSigningBytes } from '../../protocol/agent-key.js';
import type { AgentAnswer } from '../../protocol/api.js';
import type { ResultMessage } from '../../protocol/messages.js';

/**
 * What the server keeps of an agent's signature on a result (protocol/answer-check.ts rebuilds
 * the signed message from it), or 'refused' for a signature that does not hold for the agent
 * whose topic carried the result: an answer re-labelled as another agent's (a broker that
 * forges or moves messages) is dropped rather than stored under the wrong agent.
 * Unsigned results (agents older than signed answers) are kept, without `agentAnswer`: the
 * investigator sees them as unsigned.
 */
export function agentAnswerOf(topicAgentId: string, msg: ResultMessage): { agentAnswer?: AgentAnswer } | 'refused' {
  const { signature } = msg;
  if (signature === undefined) return {};
  const check = checkAnswer(topicAgentId, msg, signature);
  // An id chosen before ids derived from keys cannot pass the key test; its signature must still hold.
  const isLegacyId = !DERIVED_AGENT_ID_PATTERN.test(topicAgentId);
  const holds = check.ok || (isLegacyId && check.code === 'KEY_NOT_OF_AGENT' && verifyAgentSignature(signature.publicKey, answerSigningBytes(topicAgentId, msg), signature.value));
  if (!holds) return 'refused';
  const agentAnswer: AgentAnswer = { status: msg.status, startedAt: msg.startedAt, finishedAt: msg.finishedAt, signature };
  if (msg.actionId === undefined) agentAnswer.hasActionId = false;
  return { agentAnswer };
}
