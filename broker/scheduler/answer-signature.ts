import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AgentPublicKeySchema, AgentSignatureSchema, answerSigningBytes } from '../../protocol/agent-key.js';
import type { AgentAnswer } from '../../protocol/api.js';
import type { ResultMessage } from '../../protocol/messages.js';

/** Parsed agent keys: parsing costs ~0.25 ms, more than the verification itself (~0.17 ms). */
const keys = new Map<string, KeyObject | null>();
/** One key per agent: bounded so that keys from the network cannot grow it without end. */
const MAX_KEYS = 20_000;

function agentKey(publicKeyB64: string): KeyObject | null {
  const known = keys.get(publicKeyB64);
  if (known !== undefined) return known;
  let key: KeyObject | null = null;
  try {
    const parsed = createPublicKey({ key: Buffer.from(publicKeyB64, 'base64'), format: 'der', type: 'spki' });
    key = parsed.asymmetricKeyType === 'ed25519' ? parsed : null;
  } catch {
    key = null;
  }
  if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value ?? '');
  keys.set(publicKeyB64, key);
  return key;
}

/** The signature covers this result as an answer of `agentId` (the schema already checked both fields' shape). */
function holds(agentId: string, msg: ResultMessage, signature: NonNullable<ResultMessage['signature']>): boolean {
  if (
    !AgentPublicKeySchema.safeParse(signature.publicKey).success ||
    !AgentSignatureSchema.safeParse(signature.value).success
  )
    return false;
  const key = agentKey(signature.publicKey);
  if (key === null) return false;
  try {
    return verify(null, answerSigningBytes(agentId, msg), key, Buffer.from(signature.value, 'base64'));
  } catch {
    return false; // a row canonical JSON refuses (lone surrogate): the agent would not have signed it
  }
}

/**
 * How a group of results reached this server, set by the link that received it (broker/wire/),
 * never read from a message:
 * - `own-broker`: through the broker this server embeds (local-link.ts). Its hooks
 *   (broker/mqtt/hooks.ts) authenticated the connection as the agent, and its ACL
 *   (broker/mqtt/acl.ts) lets only that agent publish on its results topic, its will included;
 *   servers, enrollees and other agents cannot, and nothing is retained. The topic is already
 *   proof of origin, as a TLS channel would be.
 * - `external-broker`: through a broker run by someone else (`--broker`, server-link.ts), a third
 *   party that could forge a message or move one onto another agent's topic: only the agent's
 *   signature says who answered.
 */
export type ResultArrival = 'own-broker' | 'external-broker';

/**
 * What the server keeps of an agent's signature on a result (protocol/answer-check.ts rebuilds
 * the signed message from it), or 'refused'.
 *
 * Through an external broker the signature is verified first: one that does not cover this
 * result as an answer of the agent whose topic carried it (a changed answer, or another agent's
 * answer moved onto this topic) is refused rather than stored. Through our own broker the
 * signature is kept as the agent sent it, unverified: the agent is already authenticated, and
 * the check (~110 µs of CPU per answer, nearly half of the server's CPU per command) would only judge
 * what that agent chose to send. The investigator verifies every answer it shows either way
 * (verifyStoredAnswer, console/cli/action-results.ts, console/state/answer-trust.ts), so a
 * signature that does not hold shows there as not verified; whether the key is the agent's own
 * (its id derives from it) is that check's too: agents whose ids predate keys still answer,
 * shown as not verified. Unsigned results (agents older than signed answers) are kept without
 * `agentAnswer`.
 */
export function agentAnswerOf(
  topicAgentId: string,
  msg: ResultMessage,
  arrival: ResultArrival,
): { agentAnswer?: AgentAnswer } | 'refused' {
  const { signature } = msg;
  if (signature === undefined) return {};
  if (arrival !== 'own-broker' && !holds(topicAgentId, msg, signature)) return 'refused';
  const agentAnswer: AgentAnswer = {
    status: msg.status,
    startedAt: msg.startedAt,
    finishedAt: msg.finishedAt,
    signature,
  };
  if (msg.actionId === undefined) agentAnswer.hasActionId = false;
  return { agentAnswer };
}
