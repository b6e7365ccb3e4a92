import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJsonBytes } from './canonical.js';

/**
 * An agent's own identity: an Ed25519 key pair it makes at first start (agent/agent-key.ts).
 * Its id derives from the public key, as Velociraptor derives client ids, so no one can choose
 * an id, and anyone holding an answer, its signature and the public key can check that the
 * answer came from the agent that id names, without trusting the server or the broker.
 */

/** `a-` + the first 20 hex digits (80 bits) of sha256 over the public key's SPKI DER. */
export const DERIVED_AGENT_ID_PATTERN = /^a-[0-9a-f]{20}$/;

/** Ed25519 SPKI DER is 44 bytes: base64 of exactly that. */
export const AgentPublicKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9+/]{59}=$/, 'expected an Ed25519 public key (SPKI DER, base64, 60 chars)');
export const AgentSignatureSchema = z
  .string()
  .regex(/^[A-Za-z0-9+/]{86}==$/, 'expected an Ed25519 signature (base64, 88 chars)');

export function agentIdFromPublicKey(publicKeyB64: string): string {
  return `a-${createHash('sha256').update(Buffer.from(publicKeyB64, 'base64')).digest('hex').slice(0, 20)}`;
}

/** The base64 SPKI DER of a key pair's public half. */
export function publicKeyBase64(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** Signs bytes with the agent's private key: base64 Ed25519 signature. */
export function signWithAgentKey(privateKey: KeyObject, bytes: Uint8Array): string {
  return sign(null, bytes, privateKey).toString('base64');
}

/** False for any malformed key or signature: both come from the network. */
export function verifyAgentSignature(publicKeyB64: string, bytes: Uint8Array, signatureB64: string): boolean {
  if (!AgentPublicKeySchema.safeParse(publicKeyB64).success || !AgentSignatureSchema.safeParse(signatureB64).success)
    return false;
  try {
    const key = createPublicKey({ key: Buffer.from(publicKeyB64, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, bytes, key, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/**
 * What an agent signs when it answers: the canonical JSON of the result message without its
 * `signature`, plus the agent id it answers as (the result topic names the agent, the message
 * itself does not, so the id is bound in here: a server cannot relabel one agent's answer as
 * another's).
 */
export function answerSigningBytes(agentId: string, result: Readonly<Record<string, unknown>>): Uint8Array {
  const { signature: _unsigned, ...signed } = result;
  return canonicalJsonBytes({ agentId, result: signed });
}

export type AnswerCheck =
  { ok: true } | { ok: false; code: 'UNSIGNED' | 'KEY_NOT_OF_AGENT' | 'BAD_SIGNATURE'; reason: string };

/**
 * End-to-end check of one stored answer: the key hashes to the agent's id and the signature
 * covers exactly this result. Agents enrolled before ids were derived from keys cannot pass the
 * first test: their answers are reported as such, never as verified.
 */
export function checkAnswer(
  agentId: string,
  result: Readonly<Record<string, unknown>>,
  signature: { publicKey: string; value: string } | undefined,
): AnswerCheck {
  if (signature === undefined) return { ok: false, code: 'UNSIGNED', reason: 'the answer carries no agent signature' };
  if (agentIdFromPublicKey(signature.publicKey) !== agentId) {
    return { ok: false, code: 'KEY_NOT_OF_AGENT', reason: `the signing key does not derive agent id ${agentId}` };
  }
  if (!verifyAgentSignature(signature.publicKey, answerSigningBytes(agentId, result), signature.value)) {
    return { ok: false, code: 'BAD_SIGNATURE', reason: 'the signature does not match the answer' };
  }
  return { ok: true };
}
