import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { agentIdFromPublicKey, checkAnswer, publicKeyBase64 } from '../protocol/agent-key.js';
import { resultMessage, type AnswerSigner, type ResultInput } from './outbox.js';

const { privateKey } = generateKeyPairSync('ed25519');
const publicKey = publicKeyBase64(privateKey);
const signer: AnswerSigner = { agentId: agentIdFromPublicKey(publicKey), privateKey, publicKey };
const input = (path: string): ResultInput => ({
  commandId: 'ab'.repeat(16),
  actionId: 'cd'.repeat(16),
  status: 'success',
  operations: [{ module: 'file', isFound: true, rows: [{ path }], stats: { files: 1 }, errors: [] }],
  startedAt: new Date('2026-12-06T10:00:00Z'),
  finishedAt: new Date('2026-12-06T10:00:01Z'),
});

describe('resultMessage with the agent key', () => {
  it('signs what is published: the JSON the server receives still verifies', () => {
    const message = resultMessage(input('/etc/passwd'), signer);
    const received = JSON.parse(JSON.stringify(message)) as typeof message;
    expect(checkAnswer(signer.agentId, received, received.signature)).toEqual({ ok: true });
    expect(checkAnswer(signer.agentId, { ...received, status: 'failed' }, received.signature)).toMatchObject({
      code: 'BAD_SIGNATURE',
    });
  });

  it('answers unsigned rather than not at all when a row cannot be canonicalized (a lone surrogate)', () => {
    const message = resultMessage(input('/home/\ud800name'), signer);
    expect(message.signature).toBeUndefined();
    expect(message.operations[0]?.rows[0]).toEqual({ path: '/home/\ud800name' });
  });

  it('without a signer, answers unsigned', () => {
    expect(resultMessage(input('/x')).signature).toBeUndefined();
  });
});
