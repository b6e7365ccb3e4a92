import { answerSigningBytes, verifyAgentSignature } from '../../protocol/agent-key.js';
import type { AgentAnswer } from '../../protocol/api.js';
import type { ResultMessage } from '../../protocol/messages.js';

/**
 * What the server keeps of an agent's signature on a result (protocol/answer-check.ts rebuilds
 * the signed message from it), or 'refused' when the signature does not cover this result as
 * an answer of the agent whose topic carried it: a changed answer, or another agent's answer
 * moved onto this topic (a broker that forges or moves messages), is dropped rather than stored.
 * Whether the key is the agent's own (its id derives from it) is the investigator's check
 * (verifyStoredAnswer): agents whose ids predate keys still answer, shown as not verified.
 * Unsigned results (agents older than signed answers) are kept without `agentAnswer`.
 */
export function agentAnswerOf(topicAgentId: string, msg: ResultMessage): { agentAnswer?: AgentAnswer } | 'refused' {
  const { signature } = msg;
  if (signature === undefined) return {};
  if (!verifyAgentSignature(signature.publicKey, answerSigningBytes(topicAgentId, msg), signature.value)) return 'refused';
  const agentAnswer: AgentAnswer = { status: msg.status, startedAt: msg.startedAt, finishedAt: msg.finishedAt, signature };
  if (msg.actionId === undefined) agentAnswer.hasActionId = false;
  return { agentAnswer };
}
