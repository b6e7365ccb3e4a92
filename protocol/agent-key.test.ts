import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  agentIdFromPublicKey,
  answerSigningBytes,
  checkAnswer,
  DERIVED_AGENT_ID_PATTERN,
  publicKeyBase64,
  signWithAgentKey,
  verifyAgentSignature,
} from './agent-key.js';

const alice = generateKeyPairSync('ed25519').privateKey;
const mallory = generateKeyPairSync('ed25519').privateKey;
const alicePub = publicKeyBase64(alice);
const aliceId = agentIdFromPublicKey(alicePub);
const result = {
  v: 1,
  kind: 'result',
  commandId: 'ab'.repeat(8),
  status: 'success',
  operations: [],
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: '2026-01-01T00:00:01Z',
};
const signed = (key = alice, id = aliceId, r: Record<string, unknown> = result) => ({
  publicKey: publicKeyBase64(key),
  value: signWithAgentKey(key, answerSigningBytes(id, r)),
});

describe('agent keys', () => {
  it('derives a stable id of the documented shape from the public key', () => {
    expect(aliceId).toMatch(DERIVED_AGENT_ID_PATTERN);
    expect(agentIdFromPublicKey(alicePub)).toBe(aliceId);
    expect(agentIdFromPublicKey(publicKeyBase64(mallory))).not.toBe(aliceId);
  });

  it('signing bytes ignore key order and the signature field, and bind the agent id', () => {
    const reordered = Object.fromEntries(Object.entries(result).reverse());
    expect(answerSigningBytes(aliceId, { ...reordered, signature: 'x' })).toEqual(answerSigningBytes(aliceId, result));
    expect(answerSigningBytes('a-00000000000000000000', result)).not.toEqual(answerSigningBytes(aliceId, result));
  });

  it.each([
    { name: 'the agent own answer', agentId: aliceId, r: result, sig: signed(), want: 'ok' },
    { name: 'no signature', agentId: aliceId, r: result, sig: undefined, want: 'UNSIGNED' },
    {
      name: 'another key claiming the id',
      agentId: aliceId,
      r: result,
      sig: signed(mallory, aliceId),
      want: 'KEY_NOT_OF_AGENT',
    },
    {
      name: 'an answer relabelled to another agent',
      agentId: agentIdFromPublicKey(publicKeyBase64(mallory)),
      r: result,
      sig: signed(),
      want: 'KEY_NOT_OF_AGENT',
    },
    {
      name: 'a changed answer',
      agentId: aliceId,
      r: { ...result, status: 'failed' },
      sig: signed(),
      want: 'BAD_SIGNATURE',
    },
    {
      name: 'a garbage signature',
      agentId: aliceId,
      r: result,
      sig: { publicKey: alicePub, value: 'A'.repeat(86) + '==' },
      want: 'BAD_SIGNATURE',
    },
    {
      name: 'a legacy random id',
      agentId: 'a-0123456789abcdef0123',
      r: result,
      sig: signed(),
      want: 'KEY_NOT_OF_AGENT',
    },
  ])('checkAnswer: $name → $want', ({ agentId, r, sig, want }) => {
    const got = checkAnswer(agentId, r, sig);
    expect(got.ok ? 'ok' : got.code).toBe(want);
  });

  it('refuses malformed keys and signatures without throwing', () => {
    expect(verifyAgentSignature('not a key', new Uint8Array(1), 'x')).toBe(false);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64');
    expect(verifyAgentSignature(rsa, new Uint8Array(1), signed().value)).toBe(false);
  });
});
